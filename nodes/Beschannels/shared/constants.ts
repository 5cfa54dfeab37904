/** Facts about the Beschannels OpenAPI that the node relies on, kept in one place. */

export const CREDENTIAL_TYPE = 'beschannelsApi';

export const DEFAULT_BASE_URL = 'https://openapi.beschannels.com';

export const GROUP_USER_LIST_PATH = '/leads/open-api/group-user-list';

/** Where App ID + App Secret are exchanged for an access token. */
export const ACCESS_GRANT_PATH = '/api/get-access-token';

/** Documented limit: 10 requests per second for every interface, counted per account. */
export const API_REQUESTS_PER_SECOND = 10;

/** Hard stop for a group that never ends (at 1,000 rows a page this is ten million members). */
export const MAX_PAGES = 10_000;

export const DEFAULT_TIMEOUT_MS = 30_000;

export const DEFAULT_MAX_RETRIES = 4;

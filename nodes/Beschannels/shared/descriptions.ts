import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from './constants';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './group/pageSize';

/** The group a call reads: shared by the action node and the trigger. */
export const groupFields: INodeProperties[] = [
	{
		displayName: 'User ID',
		name: 'userId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. usercd4adfcb940f4aad4785ca60f2b34aad',
		description:
			'The Beschannels user whose data permissions apply (user_id). Find it in Beschannels under Personal settings > User ID (see <a href="https://github.com/beschannels-community/n8n-nodes-beschannels#finding-things-in-the-beschannels-app">Finding things in the Beschannels app</a>).',
		hint: 'Beschannels: Personal settings > User ID',
	},
	{
		displayName: 'Group Object',
		name: 'groupObj',
		type: 'options',
		required: true,
		default: 'leads_schema_data',
		options: [
			{
				name: 'Market Leads',
				value: 'leads_schema_data',
				description: 'Market leads, group_obj leads_schema_data',
			},
			{
				name: 'Customers With Details',
				value: 'schema_data',
				description: 'Customers who left their details, group_obj schema_data',
			},
			{
				name: 'Members',
				value: 'member',
				description: 'Members, group_obj member',
			},
		],
		description:
			'The kind of object the group holds (group_obj). An expression may give any other value Beschannels accepts; it is sent unchanged.',
	},
	{
		displayName: 'Group ID',
		name: 'groupId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 12345',
		description:
			'The ID of the group to read (sent as groupId), as Beschannels shows it for the group ("分组ID"). A number from an expression is sent as its digits. See <a href="https://github.com/beschannels-community/n8n-nodes-beschannels#finding-things-in-the-beschannels-app">Finding things in the Beschannels app</a>.',
	},
];

/** Options for reading a group, shared by the action node and the trigger. */
export const readOptions: INodeProperties[] = [
	{
		displayName: 'Page Size',
		name: 'pageSize',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: MAX_PAGE_SIZE },
		default: 0,
		hint: `0 is automatic: up to ${MAX_PAGE_SIZE} rows a request, as many as the server serves`,
		description: `Most rows asked for per request (page_size), 1 to ${MAX_PAGE_SIZE}; 0 (or leaving the option out) is automatic: the node asks ${MAX_PAGE_SIZE} rows, then what the server shows it serves, and steps down if the server refuses a size twice. A size set here is asked by the first request; later ones may ask a few fewer, so that each page starts a few rows before the last one ended and a group that changes while it is read is noticed.`,
	},
	{
		displayName: 'Start at Page',
		name: 'startPage',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		description: `The page to start reading from, in pages of Page Size members (${DEFAULT_PAGE_SIZE} when Page Size is automatic). With Limit, reads a large group one slice per execution.`,
	},
	{
		displayName: 'Search',
		name: 'searchStr',
		type: 'string',
		default: '',
		description: 'Only members matching this text (search_str, the basic search of Beschannels)',
	},
	{
		displayName: 'Return Fields',
		name: 'returnFieldList',
		type: 'string',
		default: '',
		placeholder: 'e.g. FullName,MobilePhone,Email',
		description:
			'Which fields to ask Beschannels for (return_field_list), sent as typed. Beschannels does not document the format; comma-separated field keys are the likely one.',
		hint: 'Field keys as the API names them, e.g. FullName or Score-20408. To keep only some fields in the output, use Output Fields.',
	},
	{
		displayName: 'Output Field Names or IDs',
		name: 'outputFields',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getGroupFields', loadOptionsDependsOn: ['userId', 'groupObj', 'groupId'] },
		default: [],
		description:
			'Which fields each item keeps, besides identity_id; none keeps every field. The list is read from the group; an expression gives names separated by commas, e.g. FullName,score_20408 (a key, label or the list\'s text, in any case). A name the group does not have fails. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Use Column Labels as Field Names',
		name: 'useLabels',
		type: 'boolean',
		default: false,
		description:
			'Whether to name output fields by the column labels the Beschannels app shows instead of the API keys (FullName, MobilePhone, ...)',
	},
	{
		displayName: 'Add ISO Created Time',
		name: 'addIsoDate',
		type: 'boolean',
		default: false,
		description:
			'Whether to add CreatedTimeIso, an ISO 8601 UTC date computed from CreatedTime (which Beschannels writes in China time)',
	},
	{
		displayName: 'Created Time UTC Offset',
		name: 'createdTimeOffset',
		type: 'string',
		default: '+08:00',
		description: 'The UTC offset CreatedTime is written in. China time is +08:00.',
		displayOptions: { show: { addIsoDate: [true] } },
	},
	{
		displayName: 'Timeout',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_TIMEOUT_MS,
		description: 'How long to wait for each answer, in milliseconds, before giving up on that attempt',
	},
	{
		displayName: 'Retries',
		name: 'maxRetries',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 10 },
		default: DEFAULT_MAX_RETRIES,
		description:
			'How many times to retry a request that failed for a passing reason (server error, timeout, reset), with growing waits. A request refused as too many is sent again without counting as a retry, for at most Timeout x (Retries + 1).',
	},
];

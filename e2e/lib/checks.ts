/**
 * Checks on what a real n8n printed: the JSON of `n8n execute --rawOutput`, the node types of
 * `n8n export:nodes`, and the items the Beschannels node produced compared with the sandbox's
 * raw rows. Expectations are written out here, independently of the node's own code.
 */

export const PACKAGE_NAME = 'n8n-nodes-beschannels';
export const ACTION_NODE_TYPE = `${PACKAGE_NAME}.beschannels`;
export const TRIGGER_NODE_TYPE = `${PACKAGE_NAME}.beschannelsTrigger`;
export const CREDENTIAL_TYPE = 'beschannelsApi';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from n8n and the sandbox, read field by field and checked at run time
export type Json = Record<string, any>;

export class CheckError extends Error {}

export function fail(message: string): never {
	throw new CheckError(message);
}

export function expect(condition: unknown, message: string): asserts condition {
	if (!condition) fail(message);
}

/** Calls one of the sandbox's admin routes (`/__sandbox/<route>`) and returns its JSON answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each admin route answers its own JSON shape
export async function sandboxAdmin(sandboxUrl: string, route: string, body: Json = {}): Promise<any> {
	const response = await fetch(`${sandboxUrl}/__sandbox/${route}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	if (!response.ok) fail(`sandbox /__sandbox/${route} answered HTTP ${response.status}: ${await response.text()}`);
	return response.json();
}

/**
 * The execution JSON printed by `n8n execute`: log lines come first, the JSON block starts at
 * a line that is exactly `{` and ends at the next line that is exactly `}`.
 * Returns undefined when there is no complete block.
 */
export function executionJson(output: string): Json | undefined {
	const lines = output.split(/\r?\n/);
	const start = lines.indexOf('{');
	if (start === -1) return undefined;
	const end = lines.indexOf('}', start + 1);
	if (end === -1) return undefined;
	try {
		return JSON.parse(lines.slice(start, end + 1).join('\n')) as Json;
	} catch {
		return undefined;
	}
}

export interface WorkflowNode {
	name: string;
	type: string;
	parameters?: Json;
	credentials?: Record<string, { id?: string; name?: string }>;
}

export interface Workflow {
	id?: string;
	name: string;
	nodes: WorkflowNode[];
	[key: string]: unknown;
}

/** Node types `n8n execute` can start a workflow from (n8n's STARTING_NODES, 1.x and 2.x). */
const CLI_START_TYPES = [
	'n8n-nodes-base.manualTrigger',
	'n8n-nodes-base.start',
	'n8n-nodes-base.executeWorkflowTrigger',
];

export function cliStartable(workflow: Workflow): boolean {
	return workflow.nodes.some((node) => CLI_START_TYPES.includes(node.type));
}

export function actionNodes(workflow: Workflow): WorkflowNode[] {
	return workflow.nodes.filter((node) => node.type === ACTION_NODE_TYPE);
}

/** The JSON of every item a node output (first output, last run), after checking it ran fine. */
export function nodeItems(execution: Json, nodeName: string): Json[] {
	const resultData = execution.data?.resultData;
	if (!resultData) fail('the execution JSON has no data.resultData');
	if (resultData.error) {
		fail(`the execution failed: ${resultData.error.message ?? JSON.stringify(resultData.error).slice(0, 300)}`);
	}
	if (execution.status !== undefined && execution.status !== 'success') {
		fail(`the execution status is "${execution.status}", not "success"`);
	}
	const runs = resultData.runData?.[nodeName];
	if (!Array.isArray(runs) || runs.length === 0) fail(`node "${nodeName}" did not run`);
	const last = runs[runs.length - 1];
	if (last.error) fail(`node "${nodeName}" failed: ${last.error.message}`);
	if (last.executionStatus !== undefined && last.executionStatus !== 'success') {
		fail(`node "${nodeName}" ended with status "${last.executionStatus}"`);
	}
	const items = last.data?.main?.[0];
	if (!Array.isArray(items)) fail(`node "${nodeName}" has no items on its first output`);
	return items.map((item: Json) => item.json as Json);
}

/** What the node is expected to make of a raw `Score-<id>` value. */
function expectedScore(raw: unknown): unknown {
	if (typeof raw === 'string' && raw.trim() !== '' && /^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/.test(raw)) {
		return Number(raw);
	}
	return raw;
}

/** `2026-10-30 10:00:00` written at UTC+08:00, as ISO 8601 in UTC. */
function chinaTimeToIso(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(value.trim());
	if (!match) return null;
	const date = new Date(`${match[1]}T${match[2]}+08:00`);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function same(a: unknown, b: unknown): boolean {
	return JSON.stringify(a) === JSON.stringify(b);
}

function show(value: unknown): string {
	return JSON.stringify(value) ?? String(value);
}

interface ItemCheck {
	/** Items compared field by field (all items unless an option changes field names). */
	compared: number;
	scoreFields: number;
	numericStrings: number;
	emptyScores: number;
	notes: string[];
}

/** Same people in the same order as the rows the node should return (the whole group, or up to Limit). */
function checkOrder(node: WorkflowNode, items: Json[], expectedRows: Json[] | undefined): void {
	if (!expectedRows) {
		if (items.length === 0) fail(`"${node.name}" output no items`);
		return;
	}
	if (items.length !== expectedRows.length) {
		fail(`"${node.name}" output ${items.length} items; the sandbox group has ${expectedRows.length} to return`);
	}
	const got = items.map((item) => item.identity_id);
	const want = expectedRows.map((row) => row.identity_id);
	const first = got.findIndex((id, i) => id !== want[i]);
	if (first !== -1) {
		fail(
			`"${node.name}" items are not the sandbox's members in API order: item ${first} has identity_id ` +
				`${show(got[first])}, the sandbox has ${show(want[first])}`,
		);
	}
}

/** `Score-<id>` of the raw row as `score_<id>` of the item (numeric strings as numbers), no `Score-` key left. */
function checkScores(where: string, item: Json, raw: Json, result: ItemCheck): void {
	const scoreApiKeys = Object.keys(item).filter((key) => key.startsWith('Score-'));
	if (scoreApiKeys.length) fail(`${where} still has API score keys: ${scoreApiKeys.join(', ')}`);
	const rawScores = Object.keys(raw).filter((key) => key.startsWith('Score-'));
	const wantScoreKeys = rawScores.map((key) => `score_${key.slice('Score-'.length)}`).sort();
	const gotScoreKeys = Object.keys(item).filter((key) => key.startsWith('score_')).sort();
	if (!same(gotScoreKeys, wantScoreKeys)) {
		fail(`${where} has score fields ${gotScoreKeys.join(',') || '(none)'}; the raw row has ${rawScores.join(',') || '(none)'}`);
	}
	for (const key of rawScores) {
		const name = `score_${key.slice('Score-'.length)}`;
		const want = expectedScore(raw[key]);
		if (!same(item[name], want)) {
			fail(`${where}: ${name} is ${show(item[name])}; raw ${key} is ${show(raw[key])}, expected ${show(want)}`);
		}
		if (typeof want === 'number' && typeof item[name] !== 'number') fail(`${where}: ${name} is not a number`);
		result.scoreFields++;
		if (typeof raw[key] === 'string' && raw[key] !== '') result.numericStrings++;
		if (raw[key] === '') result.emptyScores++;
	}
}

/**
 * Compares the items of one Beschannels "Get Many" node with the sandbox's raw rows (API order):
 * same people in the same order, `Score-<id>` flattened to `score_<id>` (numeric strings as
 * numbers, anything else as sent), no `Score-` key left, other fields unchanged.
 */
export function checkGroupItems(node: WorkflowNode, items: Json[], rawRows: Json[]): ItemCheck {
	const parameters = node.parameters ?? {};
	const options: Json = parameters.options ?? {};
	const notes: string[] = [];
	const limit = typeof parameters.limit === 'number' ? parameters.limit : 50;
	const sameRows = !options.searchStr && !options.returnFieldList;
	if (!sameRows) notes.push('search or return fields set: only the shape of the items is checked');
	checkOrder(node, items, sameRows ? (parameters.returnAll === true ? rawRows : rawRows.slice(0, limit)) : undefined);

	const result: ItemCheck = { compared: 0, scoreFields: 0, numericStrings: 0, emptyScores: 0, notes };
	const byId = new Map(rawRows.map((row) => [String(row.identity_id), row]));
	const labels = options.useLabels === true;
	const checkIso = options.addIsoDate === true && (options.createdTimeOffset ?? '+08:00') === '+08:00';
	if (labels) notes.push('column labels on: fields other than scores are not compared by name');

	items.forEach((item, index) => {
		const where = `"${node.name}" item ${index} (identity_id ${show(item.identity_id)})`;
		const raw = byId.get(String(item.identity_id));
		if (!raw) fail(`${where} is not a member of the sandbox group`);
		checkScores(where, item, raw, result);
		for (const [key, value] of !labels && sameRows ? Object.entries(raw) : []) {
			if (!key.startsWith('Score-') && !same(item[key], value)) {
				fail(`${where}: field ${key} is ${show(item[key])}; the raw row has ${show(value)}`);
			}
		}
		const wantIso = checkIso ? chinaTimeToIso(raw.CreatedTime) : undefined;
		if (checkIso && item.CreatedTimeIso !== wantIso) {
			fail(`${where}: CreatedTimeIso is ${show(item.CreatedTimeIso)}; CreatedTime ${show(raw.CreatedTime)} is ${show(wantIso)}`);
		}
		result.compared++;
	});
	return result;
}

/** Expected node type names for the node files a package.json lists in `n8n.nodes`. */
export function declaredNodeTypes(packageJson: Json): Array<{ file: string; type: string }> {
	const files: string[] = packageJson.n8n?.nodes ?? [];
	return files.map((file) => {
		const className = (file.split('/').pop() ?? file).replace(/\.node\.js$/, '');
		return { file, type: `${packageJson.name}.${className.charAt(0).toLowerCase()}${className.slice(1)}` };
	});
}

/** `icons/<package>/<path>` (how n8n serves a community node's icon) as a path in the package. */
export function iconFiles(description: Json, packageName: string): string[] {
	const urls: unknown[] = [];
	const iconUrl = description.iconUrl;
	if (typeof iconUrl === 'string') urls.push(iconUrl);
	else if (iconUrl && typeof iconUrl === 'object') urls.push(iconUrl.light, iconUrl.dark);
	const prefix = `icons/${packageName}/`;
	return urls
		.filter((url): url is string => typeof url === 'string')
		.map((url) => (url.startsWith(prefix) ? url.slice(prefix.length) : url));
}

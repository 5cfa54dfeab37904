import { fail, TRIGGER_NODE_TYPE, type Json, type Workflow, type WorkflowNode } from '../lib/checks';
import type { Example } from './n8n-cli';

/**
 * The examples that route Beschannels Trigger items with a Switch node, checked in real n8n: a copy
 * the CLI can start sends sample trigger items (one per `event`) through the example's own Switch
 * node, whose targets are replaced by No Operation nodes of the same names, and each target must
 * receive exactly the items the Switch's rules send it.
 */

const SWITCH_TYPE = 'n8n-nodes-base.switch';

/** Trigger items as the Beschannels Trigger emits them, one per event, and one joined member without an email. */
const SAMPLE: Json[] = [
	{ event: 'joined', identity_id: 'sample-joined', Email: 'joined@example.com', FullName: 'Joined' },
	{ event: 'updated', identity_id: 'sample-updated', Email: 'updated@example.com', FullName: 'Updated' },
	{ event: 'left', identity_id: 'sample-left' },
	{ event: 'created', identity_id: 'sample-created', Email: 'created@example.com', FullName: 'Created' },
	{ event: 'joined', identity_id: 'sample-no-email', Email: '' },
];

export interface Routing {
	example: Example;
	id: string;
	workflow: Workflow;
	/** Each target node's expected items (`<event>:<identity_id>`, sorted). */
	expected: Map<string, string[]>;
}

interface Condition {
	leftValue: string;
	rightValue?: string;
	operator: { operation: string };
}

interface Rule {
	conditions: { conditions: Condition[]; combinator?: string };
}

/** The Switch output an item goes to, as the rules read (equals, not empty; first match); -1: none. */
function output(rules: Rule[], item: Json): number {
	return rules.findIndex(({ conditions }) => {
		if (conditions.combinator !== undefined && conditions.combinator !== 'and') fail(`a Switch rule combines with "${conditions.combinator}"`);
		return conditions.conditions.every((condition) => {
			const field = /^=\{\{ \$json\.(\w+) \}\}$/.exec(condition.leftValue)?.[1];
			if (!field) fail(`a Switch condition reads ${condition.leftValue}, not a field of the item`);
			const value = item[field];
			if (condition.operator.operation === 'equals') return value === condition.rightValue;
			if (condition.operator.operation === 'notEmpty') return typeof value === 'string' && value !== '';
			return fail(`a Switch condition uses "${condition.operator.operation}"`);
		});
	});
}

/** The routing check of an example whose Beschannels Trigger feeds a Switch node, or undefined. */
export function routingOf(example: Example, id: string): Routing | undefined {
	const { nodes } = example.workflow;
	const trigger = nodes.find((node) => node.type === TRIGGER_NODE_TYPE);
	const route = nodes.find((node) => node.type === SWITCH_TYPE);
	if (!trigger || !route) return undefined;
	const connections = example.workflow.connections as Record<string, { main: Array<Array<{ node: string }>> }>;
	const outputs = connections[route.name].main;
	const rules = (route.parameters?.rules as { values: Rule[] }).values;
	const expected = new Map<string, string[]>(outputs.flat().map(({ node }) => [node, []]));
	for (const item of SAMPLE) {
		const index = output(rules, item);
		for (const { node } of index === -1 ? [] : (outputs[index] ?? [])) expected.get(node)!.push(`${item.event}:${item.identity_id}`);
	}
	for (const items of expected.values()) items.sort();
	const node = (name: string, type: string, parameters: Json, x: number): WorkflowNode & Json => ({
		id: `${id}-${x}`,
		name,
		type,
		typeVersion: type === 'n8n-nodes-base.set' ? 3.4 : 1,
		position: [x, 0],
		parameters,
	});
	const workflow: Workflow = {
		id,
		name: `${example.workflow.name} (routing)`,
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', {}, 0),
			node('Sample trigger items', 'n8n-nodes-base.set', { mode: 'raw', jsonOutput: JSON.stringify({ members: SAMPLE }), options: {} }, 200),
			node('One item each', 'n8n-nodes-base.splitOut', { fieldToSplitOut: 'members', options: {} }, 400),
			{ ...route },
			...[...expected.keys()].map((name, index) => node(name, 'n8n-nodes-base.noOp', {}, 800 + index)),
		],
		connections: {
			Start: { main: [[{ node: 'Sample trigger items', type: 'main', index: 0 }]] },
			'Sample trigger items': { main: [[{ node: 'One item each', type: 'main', index: 0 }]] },
			'One item each': { main: [[{ node: route.name, type: 'main', index: 0 }]] },
			[route.name]: connections[route.name],
		},
		settings: { executionOrder: 'v1' },
	};
	return { example, id, workflow, expected };
}

/** What each target node received in an execution, over all its runs (`<event>:<identity_id>`, sorted). */
export function received(execution: Json, targets: Iterable<string>): Map<string, string[]> {
	const runData = execution.data?.resultData?.runData ?? {};
	const got = new Map<string, string[]>();
	for (const name of targets) {
		const runs = (runData[name] ?? []) as Json[];
		const items = runs.flatMap((run) => ((run.data?.main?.[0] ?? []) as Json[]).map((item) => `${item.json?.event}:${item.json?.identity_id}`));
		got.set(name, items.sort());
	}
	return got;
}

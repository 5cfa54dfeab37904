/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import './env';
import 'reflect-metadata';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExecutionLifecycleHooks, LoadOptionsContext, PollContext, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodePropertyOptions,
	INodeType,
	IRun,
	IRunExecutionData,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { testCredential } from './credential-test';
import { PackageNodeTypes } from './nodeTypes';
import { HarnessCredentialsHelper } from './credentials-helper';

/**
 * Runs this package's built nodes inside n8n's own execution engine (n8n-core `WorkflowExecute`),
 * the way n8n runs a workflow: real parameters and expressions, real credentials handling, real
 * HTTP. Used by the tests, the demo and the benchmark.
 */

const PACKAGE = 'n8n-nodes-beschannels';
export const ACTION_TYPE = `${PACKAGE}.beschannels`;
const TRIGGER_TYPE = `${PACKAGE}.beschannelsTrigger`;
const INPUT_TYPE = 'harness.input';
/** The tool type n8n generates from the action node's `usableAsTool`. */
export const TOOL_TYPE = `${PACKAGE}.beschannelsTool`;
const TOOL_CALLER_TYPE = 'harness.toolCaller';
const CREDENTIAL = 'beschannelsApi';

export function packageRoot(from = __dirname): string {
	let dir = from;
	while (!existsSync(join(dir, 'package.json'))) {
		const parent = dirname(dir);
		if (parent === dir) throw new Error('package.json not found');
		dir = parent;
	}
	return dir;
}

function loadBuilt<T>(relative: string, exportName: string): T {
	const file = join(packageRoot(), 'dist', relative);
	if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first`);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const Class = require(file)[exportName] as new () => T;
	return new Class();
}

/** Emits the items given in its `items` parameter: the input of the node under test. */
class InputNode implements INodeType {
	description = {
		displayName: 'Input',
		name: 'input',
		group: ['input'],
		version: 1,
		description: 'Test input',
		defaults: { name: 'Input' },
		inputs: [],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json' as const, default: '[{}]' }],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

/**
 * The tool type n8n makes of a node with `usableAsTool` (`convertNodeToAiTool` and
 * `NodeTypes.getByNameAndVersion` in the n8n package, which n8n-core does not export): a clone
 * named `<name>Tool`, no main input, an `ai_tool` output, and a Tool Description parameter unless the
 * node brings its own. Runtime n8n builds it from the node itself, without `usableAsTool.replacements`.
 */
function asTool(nodeType: INodeType): INodeType {
	const original = nodeType.description;
	const properties = [...original.properties];
	if (!properties.some((property) => property.name === 'toolDescription')) {
		properties.unshift(
			{
				displayName: 'Tool Description',
				name: 'descriptionType',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Set Automatically', value: 'auto' },
					{ name: 'Set Manually', value: 'manual' },
				],
				default: 'auto',
			},
			{
				displayName: 'Description',
				name: 'toolDescription',
				type: 'string',
				default: original.description,
				required: true,
				displayOptions: { show: { descriptionType: ['manual'] } },
			},
		);
	}
	const description = {
		...original,
		name: `${original.name}Tool`,
		displayName: `${original.displayName} Tool`,
		inputs: [],
		outputs: ['ai_tool'],
		properties,
	} as INodeType['description'];
	delete description.usableAsTool;
	const tool = Object.create(nodeType) as INodeType;
	Object.defineProperty(tool, 'description', { value: description });
	return tool;
}

/** One property of a tool's input schema, as the model sees it. */
interface ToolArgument {
	type: string;
	description?: string;
	required: boolean;
	default?: unknown;
}

interface ZodLike {
	description?: string;
	isOptional(): boolean;
	_def: { typeName: string; innerType?: ZodLike; defaultValue?: () => unknown };
	shape?: Record<string, ZodLike>;
}

/** The properties of a tool's zod input schema: type, description, whether required, default. */
function describeSchema(schema: ZodLike): Record<string, ToolArgument> {
	const out: Record<string, ToolArgument> = {};
	for (const [key, field] of Object.entries(schema.shape ?? {})) {
		const inner = field._def.innerType ?? field;
		out[key] = {
			type: inner._def.typeName.replace(/^Zod/, '').toLowerCase(),
			description: field.description,
			required: !field.isOptional(),
			...(field._def.defaultValue && { default: field._def.defaultValue() }),
		};
	}
	return out;
}

interface ToolLike {
	name: string;
	description: string;
	schema: ZodLike;
	invoke(args: IDataObject): Promise<unknown>;
}

/**
 * Calls the tool connected to its `ai_tool` input the way n8n's AI Agent and MCP Server Trigger do:
 * n8n-core's `getInputConnectionData` builds the tool (`createNodeAsTool`), and each `invoke` runs
 * the tool node's `execute` in a supply-data context, where `isToolExecution()` is true.
 */
class ToolCallerNode implements INodeType {
	description = {
		displayName: 'Tool caller',
		name: 'toolCaller',
		group: ['transform'],
		version: 1,
		description: 'Calls the connected tool',
		defaults: { name: 'Tool caller' },
		inputs: ['main', { type: 'ai_tool', displayName: 'Tool', required: true, maxConnections: 1 }],
		outputs: ['main'],
		properties: [{ displayName: 'Calls', name: 'calls', type: 'json' as const, default: '[]' }],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const tool = (await this.getInputConnectionData('ai_tool' as never, 0)) as ToolLike;
		const calls = JSON.parse(this.getNodeParameter('calls', 0) as string) as IDataObject[];
		const results: IDataObject[] = [];
		for (const args of calls) {
			try {
				results.push({ text: (await tool.invoke(args)) as string });
			} catch (error) {
				results.push({ error: (error as Error).message });
			}
		}
		const schema = describeSchema(tool.schema);
		return [[{ json: { name: tool.name, description: tool.description, schema, results } as unknown as IDataObject }]];
	}
}

interface LogLine {
	level: string;
	message: string;
	meta?: unknown;
}

/** Captures what nodes write to n8n's logger, so tests can read every line. */
class CapturingLogger {
	readonly lines: LogLine[] = [];

	private push(level: string, message: string, meta?: unknown) {
		this.lines.push({ level, message, meta });
	}

	error(message: string, meta?: unknown) {
		this.push('error', message, meta);
	}

	warn(message: string, meta?: unknown) {
		this.push('warn', message, meta);
	}

	info(message: string, meta?: unknown) {
		this.push('info', message, meta);
	}

	debug(message: string, meta?: unknown) {
		this.push('debug', message, meta);
	}

	scoped() {
		return this;
	}
}

export interface NodeRun {
	/** Items on the node's first output (all of them, in order). */
	items: INodeExecutionData[];
	/** Items on the error output, when the node continues using the error output. */
	errorItems: INodeExecutionData[];
	/** The error the run stopped with, if any. */
	error?: Error & { description?: string; context?: IDataObject; httpCode?: string | null };
	hints: Array<{ message: string }>;
	run: IRun;
}

interface RunNodeOptions {
	/** Parameters of the Beschannels node. */
	parameters: INode['parameters'];
	/** One entry per input item (default: one empty item). */
	input?: IDataObject[];
	/** The node's error setting: stop, continue (regular output), or continue using the error output. */
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	nodeType?: string;
	mode?: WorkflowExecuteMode;
}

export interface ToolRun {
	/** The tool as the model sees it: name, description, input schema. */
	name: string;
	description: string;
	schema: Record<string, ToolArgument>;
	/** One per call: the text the tool returned (JSON), or the error it threw. */
	results: Array<{ text?: string; error?: string }>;
	/** The error the caller stopped with, if the tool could not even be built. */
	error?: Error;
	run: IRun;
}

/** A node of a harness workflow; nodes of this package get the harness credential. */
function harnessNode(name: string, type: string, parameters: INode['parameters'], position: [number, number], options: Partial<INode> = {}): INode {
	const credentials = type.startsWith(`${PACKAGE}.`) ? { [CREDENTIAL]: { id: 'cred-1', name: 'Beschannels account' } } : undefined;
	return { id: name, name, type, typeVersion: 1, position, parameters, credentials, ...options };
}

export class Engine {
	readonly logger = new CapturingLogger();

	readonly credentialTypes: Record<string, ICredentialType>;

	readonly credentials: HarnessCredentialsHelper;

	readonly nodeTypes: PackageNodeTypes;

	constructor(credentialData: ICredentialDataDecryptedObject) {
		Container.set(Logger, this.logger as unknown as Logger);
		this.credentialTypes = {
			[CREDENTIAL]: loadBuilt<ICredentialType>('credentials/BeschannelsApi.credentials.js', 'BeschannelsApi'),
		};
		this.credentials = new HarnessCredentialsHelper(this.credentialTypes, { [CREDENTIAL]: credentialData });
		const action = loadBuilt<INodeType>('nodes/Beschannels/Beschannels.node.js', 'Beschannels');
		const execute = action.execute!;
		const settle = (at: number) => this.onSettled(at);
		action.execute = async function (this: IExecuteFunctions) {
			try {
				return await execute.call(this);
			} finally {
				settle(Date.now());
			}
		};
		const types: Record<string, INodeType> = {
			[ACTION_TYPE]: action,
			[TOOL_TYPE]: asTool(action),
			[INPUT_TYPE]: new InputNode(),
			[TOOL_CALLER_TYPE]: new ToolCallerNode(),
		};
		const triggerFile = join(packageRoot(), 'dist/nodes/BeschannelsTrigger/BeschannelsTrigger.node.js');
		if (existsSync(triggerFile)) {
			types[TRIGGER_TYPE] = loadBuilt<INodeType>(
				'nodes/BeschannelsTrigger/BeschannelsTrigger.node.js',
				'BeschannelsTrigger',
			);
		}
		this.nodeTypes = new PackageNodeTypes(types);
	}

	/** Replaces the stored credential data (as editing the credential in n8n would). */
	setCredential(data: ICredentialDataDecryptedObject): void {
		this.credentials.setData(CREDENTIAL, data);
	}

	additionalData(hooks?: ExecutionLifecycleHooks): IWorkflowExecuteAdditionalData {
		return {
			hooks,
			credentialsHelper: this.credentials,
			executeWorkflow: async () => {
				throw new Error('sub-workflows are not available in the harness');
			},
			restApiUrl: 'http://127.0.0.1/rest',
			instanceBaseUrl: 'http://127.0.0.1/',
			formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
			webhookBaseUrl: 'http://127.0.0.1/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
			currentNodeParameters: undefined,
			executionTimeoutTimestamp: undefined,
			userId: 'harness-user',
			variables: {},
			logAiEvent: () => undefined,
		} as unknown as IWorkflowExecuteAdditionalData;
	}

	/** Presses the credential's Test button, as n8n's server does it. */
	async testCredential(data?: ICredentialDataDecryptedObject) {
		const stored = await this.credentials.getDecrypted(
			undefined,
			{ id: 'cred-test', name: 'Credential under test' },
			CREDENTIAL,
		);
		return await testCredential(this.credentialTypes[CREDENTIAL], data ?? stored, this.additionalData());
	}

	/** Runs "Input -> Beschannels" through `WorkflowExecute` and returns what the node produced. */
	async runNode(options: RunNodeOptions): Promise<NodeRun> {
		return await this.startNode(options).done;
	}

	/**
	 * Starts "Input -> Beschannels" and returns at once: `stop()` is what n8n calls when a user
	 * presses Stop (it cancels the execution, which aborts the node's cancel signal); `settled`
	 * resolves with the time the node's own `execute` returned or threw.
	 */
	startNode(options: RunNodeOptions): { stop: () => void; done: Promise<NodeRun>; settled: Promise<number> } {
		const input = harnessNode('Input', INPUT_TYPE, { items: JSON.stringify(options.input ?? [{}]) }, [0, 0]);
		const node = harnessNode('Beschannels', options.nodeType ?? ACTION_TYPE, options.parameters, [200, 0], {
			onError: options.onError,
		});
		const workflow = new Workflow({
			id: 'harness',
			name: 'Harness',
			nodes: [input, node],
			connections: { Input: { main: [[{ node: 'Beschannels', type: 'main', index: 0 }]] } },
			active: false,
			nodeTypes: this.nodeTypes,
			settings: { executionOrder: 'v1' },
		});
		const settled = new Promise<number>((resolve) => (this.onSettled = resolve));
		const { stop, done } = this.execute(workflow, input, options.mode ?? 'manual');
		const result = done.then((run) => {
			const taskData = run.data.resultData.runData.Beschannels?.[0];
			const outputs = taskData?.data?.main ?? [];
			return {
				items: (outputs[0] ?? []) as INodeExecutionData[],
				errorItems: (outputs[1] ?? []) as INodeExecutionData[],
				error: (taskData?.error ?? run.data.resultData.error) as NodeRun['error'],
				hints: (taskData?.hints ?? []) as Array<{ message: string }>,
				run,
			};
		});
		return { stop, done: result, settled };
	}

	/**
	 * Connects the Beschannels tool (`beschannelsTool`, with `parameters`) to a node that calls it as
	 * n8n's AI Agent and MCP Server Trigger do, once per entry of `calls` (the model's arguments).
	 */
	async callTool(parameters: INode['parameters'], calls: IDataObject[], mode: WorkflowExecuteMode = 'manual'): Promise<ToolRun> {
		const input = harnessNode('Input', INPUT_TYPE, { items: '[{}]' }, [0, 0]);
		const caller = harnessNode('Tool caller', TOOL_CALLER_TYPE, { calls: JSON.stringify(calls) }, [200, 0]);
		const tool = harnessNode('Beschannels', TOOL_TYPE, parameters, [200, 200]);
		const workflow = new Workflow({
			id: 'harness-tool',
			name: 'Harness tool',
			nodes: [input, caller, tool],
			connections: {
				Input: { main: [[{ node: caller.name, type: 'main', index: 0 }]] },
				[tool.name]: { ai_tool: [[{ node: caller.name, type: 'ai_tool', index: 0 }]] },
			},
			active: false,
			nodeTypes: this.nodeTypes,
			settings: { executionOrder: 'v1' },
		});
		const run = await this.execute(workflow, input, mode).done;
		const taskData = run.data.resultData.runData[caller.name]?.[0];
		const out = (taskData?.data?.main?.[0]?.[0]?.json ?? {}) as unknown as Omit<ToolRun, 'run' | 'error'>;
		return { ...out, results: out.results ?? [], error: (taskData?.error ?? run.data.resultData.error) as Error | undefined, run };
	}

	/**
	 * Opens a dropdown as n8n's editor does: the server's `DynamicNodeParametersService` (n8n 2.41.1)
	 * calls the node's `methods.loadOptions.<method>` in n8n-core's `LoadOptionsContext`, on a one-node
	 * workflow ("Temp-Node") whose parameters, and `additionalData.currentNodeParameters`, are the
	 * form's current values (the editor sends them with defaults filled and expressions resolved).
	 */
	async loadOptions(options: {
		method: string;
		parameters: INodeParameters;
		nodeType?: string;
		/** The parameter whose dropdown opens, as the editor names it. */
		path?: string;
	}): Promise<INodePropertyOptions[]> {
		const type = options.nodeType ?? ACTION_TYPE;
		const nodeType = this.nodeTypes.getByNameAndVersion(type, 1);
		const method = nodeType.methods?.loadOptions?.[options.method];
		if (typeof method !== 'function') throw new Error(`${type} has no loadOptions method named "${options.method}"`);
		const node = harnessNode('Temp-Node', type, {}, [0, 0]);
		const parameters =
			NodeHelpers.getNodeParameters(nodeType.description.properties, options.parameters, true, false, node, nodeType.description) ?? {};
		node.parameters = parameters;
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: this.nodeTypes });
		const additionalData = { ...this.additionalData(), currentNodeParameters: parameters } as IWorkflowExecuteAdditionalData;
		const context = new LoadOptionsContext(workflow, workflow.getNode(node.name)!, additionalData, options.path ?? 'parameters.options.outputFields');
		return await method.call(context);
	}

	/** Called with the time the action node's `execute` returned or threw. */
	private onSettled: (at: number) => void = () => undefined;

	private execute(workflow: Workflow, start: INode, mode: WorkflowExecuteMode): { stop: () => void; done: Promise<IRun> } {
		const hooks = new ExecutionLifecycleHooks(mode, 'harness-execution', {
			id: 'harness',
			name: 'Harness',
			nodes: workflow.nodes ? Object.values(workflow.nodes) : [],
			connections: {},
			active: false,
			createdAt: new Date(),
			updatedAt: new Date(),
		} as never);
		let finished: (run: IRun) => void = () => undefined;
		const done = new Promise<IRun>((resolve) => (finished = resolve));
		hooks.addHandler('workflowExecuteAfter', (fullRunData) => finished(fullRunData));
		const runExecutionData: IRunExecutionData = {
			resultData: { runData: {} },
			executionData: {
				contextData: {},
				metadata: {},
				nodeExecutionStack: [{ node: start, data: { main: [[{ json: {} }]] }, source: null }],
				waitingExecution: {},
				waitingExecutionSource: {},
			},
		} as unknown as IRunExecutionData;
		const workflowExecute = new WorkflowExecute(this.additionalData(hooks), mode, runExecutionData);
		const execution = workflowExecute.processRunExecutionData(workflow);
		execution.catch(() => undefined);
		return { stop: () => execution.cancel(), done };
	}

	/**
	 * Calls the trigger's `poll` as n8n's poller does, with n8n-core's own `PollContext`. Static data
	 * is kept between polls the way n8n keeps it: saved as JSON in the workflow record and loaded
	 * into a fresh workflow for the next poll (as after a restart). With `active`, the workflow stays
	 * active between polls as n8n's ActiveWorkflows keeps it (one `Workflow`, its static data in
	 * memory), and a poll that changed the static data has it written as n8n's save does (JSON), the
	 * text going to the database, outside the process: only its size is kept (`recordBytes`).
	 */
	createPoller(parameters: INode['parameters'], saved: IDataObject = {}, pollBudgetMs?: number, active = false) {
		const node = harnessNode('Beschannels Trigger', TRIGGER_TYPE, parameters, [0, 0]);
		// the record as a database keeps it: bytes, outside the JS heap (none kept while the workflow stays active)
		let record = Buffer.from(active ? '' : JSON.stringify(saved));
		let recordBytes = Buffer.byteLength(JSON.stringify(saved));
		let writes = 0;
		const workflowWith = (staticData: IDataObject) =>
			new Workflow({
				id: 'harness-trigger',
				name: 'Harness trigger',
				nodes: [node],
				connections: {},
				active: true,
				nodeTypes: this.nodeTypes,
				staticData,
				settings: { executionOrder: 'v1' },
			});
		const kept = active ? workflowWith(saved) : undefined;
		return {
			/** The size of the static data as n8n last wrote it (UTF-8 bytes of its JSON). */
			get recordBytes(): number {
				return recordBytes;
			},
			/** The static data as the workflow record holds it (JSON text). */
			get record(): string {
				return record.toString();
			},
			get staticData(): IDataObject {
				return JSON.parse(record.toString()) as IDataObject;
			},
			/** What the trigger keeps with getWorkflowStaticData('node'). */
			/** How many polls changed the static data (n8n then saves the whole workflow record). */
			get writes(): number {
				return writes;
			},
			get nodeData(): IDataObject {
				return ((JSON.parse(record.toString()) as IDataObject)[`node:${node.name}`] ?? {}) as IDataObject;
			},
			poll: async (mode: WorkflowExecuteMode = 'trigger') => {
				const workflow = kept ?? workflowWith(JSON.parse(record.toString()) as IDataObject);
				const nodeType = this.nodeTypes.getByNameAndVersion(TRIGGER_TYPE, 1);
				// n8n 2.x tells a poll how long it may take (`getPollBudgetMs`); n8n-core's default when unset
				const budget = pollBudgetMs === undefined ? undefined : () => pollBudgetMs;
				const context = new PollContext(
					workflow,
					workflow.getNode(node.name)!,
					this.additionalData(),
					mode,
					'activate',
					undefined,
					undefined,
					undefined,
					undefined,
					undefined,
					budget,
				);
				try {
					return await nodeType.poll!.call(context);
				} finally {
					// n8n saves static data when a poll changed it (`__dataChanged`, not enumerable: not in the JSON)
					const data = workflow.staticData as IDataObject;
					const changed = data.__dataChanged === true;
					if (changed) writes++;
					if (kept === undefined) {
						record = Buffer.from(JSON.stringify(data));
						recordBytes = record.length;
					} else if (changed) recordBytes = Buffer.byteLength(JSON.stringify(data));
					// n8n marks it saved (an active workflow's static data stays in memory)
					data.__dataChanged = false;
				}
			},
		};
	}
}

import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * Whether n8n runs the node as a tool (for an AI Agent or its MCP Server Trigger).
 *
 * n8n 2.x says so with `isToolExecution()` when it runs a tool inside the agent's or the MCP
 * trigger's call (a supply-data context on an `ai_tool` connection). It does not when it runs a
 * tool node as a node of its own (n8n 2.x agents' engine requests; `isToolExecution()` is then
 * false), and n8n 1.x has no such method. In every case n8n runs a tool under the type it
 * generated from `usableAsTool`, the node's type with `Tool` appended
 * (`n8n-nodes-beschannels.beschannelsTool`), so the type decides when the method does not.
 */
export function runsAsTool(context: IExecuteFunctions): boolean {
	const isToolExecution = (context as { isToolExecution?: unknown }).isToolExecution;
	if (typeof isToolExecution === 'function' && isToolExecution.call(context) === true) return true;
	return context.getNode().type.endsWith('Tool');
}

/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development code: runs in Node.js, never inside n8n */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small offline OpenAI-compatible chat model for n8n's "OpenAI Chat Model" node (its `openAiApi`
 * credential's Base URL points here). It plays a model that uses one tool: on a user's question it
 * asks for the Beschannels tool (a `tool_calls` answer naming the tool as n8n declared it in
 * `tools`, with arguments read from the question); once the tool's result is in the messages, it
 * answers with exactly what the tool returned. Every request is kept, for the suite to check what
 * the model was told.
 */

export const MODEL_ID = 'beschannels-e2e-model';

interface ChatMessage {
	role: string;
	content?: unknown;
	tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
}

interface ToolDeclaration {
	type: string;
	function: { name: string; description?: string; parameters?: { properties?: Record<string, unknown>; required?: string[] } };
}

export interface ChatRequest {
	model?: string;
	messages: ChatMessage[];
	tools?: ToolDeclaration[];
	stream?: boolean;
}

/** A message's text, whether sent as a string or as content parts. */
export function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		return content.map((part) => (typeof part === 'string' ? part : String((part as { text?: unknown }).text ?? ''))).join('');
	}
	return content === undefined || content === null ? '' : JSON.stringify(content);
}

/**
 * The tool arguments a question asks for: `group 1001`, `kind member`, `email a@b.c` (a search),
 * `from position 201`, `5 members`. What the question does not name is left to the tool's defaults.
 */
function argumentsFor(question: string): Record<string, string | number> {
	const args: Record<string, string | number> = {};
	const group = /\bgroup (\S+?)[?.,]?(\s|$)/i.exec(question);
	if (group) args.groupId = group[1];
	const kind = /\bkind (\w+)/i.exec(question);
	if (kind) args.groupObject = kind[1];
	const email = /\bemail (\S+@[^\s?,]+)/i.exec(question);
	if (email) args.search = email[1];
	const start = /\bfrom position (\d+)/i.exec(question);
	if (start) args.start = Number(start[1]);
	const limit = /\b(\d+) members?\b/i.exec(question);
	if (limit) args.limit = Number(limit[1]);
	return args;
}

function completion(message: ChatMessage, finish: string): Record<string, unknown> {
	return {
		id: `chatcmpl-e2e-${Date.now()}`,
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model: MODEL_ID,
		choices: [{ index: 0, message: { content: null, ...message }, logprobs: null, finish_reason: finish }],
		usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
	};
}

/** The model's turn: call the tool on a question, repeat the tool's result once it came back. */
function answer(request: ChatRequest, callNumber: number): Record<string, unknown> {
	const last = request.messages.at(-1);
	if (last?.role === 'tool') return completion({ role: 'assistant', content: textOf(last.content) }, 'stop');
	const tool = (request.tools ?? []).find((declared) => /beschannels/i.test(declared.function.name));
	if (!tool) {
		const offered = (request.tools ?? []).map((declared) => declared.function.name).join(', ') || 'none';
		return completion({ role: 'assistant', content: `No Beschannels tool was offered (tools: ${offered}).` }, 'stop');
	}
	const question = textOf([...request.messages].reverse().find((message) => message.role === 'user')?.content);
	const call = { id: `call_e2e_${callNumber}`, type: 'function', function: { name: tool.function.name, arguments: JSON.stringify(argumentsFor(question)) } };
	return completion({ role: 'assistant', tool_calls: [call] }, 'tool_calls');
}

/** The same answer as server-sent events, in case a client asks for a stream. */
function streamed(res: ServerResponse, body: Record<string, unknown>): void {
	const [choice] = body.choices as Array<{ message: ChatMessage; finish_reason: string }>;
	const { content, tool_calls: calls } = choice.message;
	const delta = { role: 'assistant', ...(content ? { content } : {}), ...(calls ? { tool_calls: calls.map((call, index) => ({ index, ...call })) } : {}) };
	const chunk = (part: Record<string, unknown>, finish: string | null) =>
		`data: ${JSON.stringify({ id: body.id, object: 'chat.completion.chunk', created: body.created, model: MODEL_ID, choices: [{ index: 0, delta: part, finish_reason: finish }] })}\n\n`;
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
	res.end(`${chunk(delta, null)}${chunk({}, choice.finish_reason)}data: [DONE]\n\n`);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	return text ? JSON.parse(text) : {};
}

export class FakeModel {
	/** Every chat completion request, in the order they came. */
	readonly requests: ChatRequest[] = [];

	private constructor(
		private readonly server: Server,
		/** The Base URL to put in the `openAiApi` credential. */
		readonly url: string,
	) {}

	static async start(): Promise<FakeModel> {
		const server = createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		const model = new FakeModel(server, `http://127.0.0.1:${port}/v1`);
		server.on('request', (req: IncomingMessage, res: ServerResponse) => {
			model.handle(req, res).catch((error: Error) => {
				res.writeHead(500, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: { message: error.message, type: 'server_error' } }));
			});
		});
		return model;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/\/+$/, '');
		if (req.method === 'GET' && path === '/v1/models') {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ object: 'list', data: [{ id: MODEL_ID, object: 'model', created: 0, owned_by: 'e2e' }] }));
			return;
		}
		if (req.method !== 'POST' || path !== '/v1/chat/completions') {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } }));
			return;
		}
		const request = (await readJson(req)) as ChatRequest;
		this.requests.push(request);
		const body = answer(request, this.requests.length);
		if (request.stream === true) return streamed(res, body);
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	}

	/** The requests whose messages come from the question `question` (each conversation holds it). */
	conversation(question: string): ChatRequest[] {
		return this.requests.filter((request) =>
			request.messages.some((message) => message.role === 'user' && textOf(message.content).includes(question)),
		);
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as groupUser from './resources/groupUser';
import { asNodeError, BeschannelsError } from './shared/transport/client';

type Operation = (this: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]>;

const operations: Record<string, Record<string, Operation>> = {
	groupUser: { getAll: groupUser.getAll.execute },
};

/**
 * Runs the chosen operation once per input item. With Continue On Fail, an item that fails
 * becomes an error item paired with its input, and the other items still run.
 */
export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const resource = this.getNodeParameter('resource', i) as string;
			const operation = this.getNodeParameter('operation', i) as string;
			const run = operations[resource]?.[operation];
			if (!run) {
				throw new NodeOperationError(
					this.getNode(),
					`The operation "${operation}" of resource "${resource}" is not supported`,
					{ itemIndex: i },
				);
			}
			const produced = await run.call(this, i);
			for (const item of produced) output.push(item);
		} catch (error) {
			if (this.continueOnFail()) {
				// Only `error`, `message` and `details` keys: n8n then routes the item to the error output.
				output.push({
					json: {
						error: error.message,
						details: {
							description: error.description ?? null,
							httpCode: error.httpCode ?? null,
							...(error instanceof BeschannelsError &&
								error.beschannelsCode !== undefined && {
									beschannelsCode: error.beschannelsCode,
									beschannelsMsg: error.beschannelsMsg,
								}),
						},
					},
					pairedItem: { item: i },
				});
				continue;
			}
			throw asNodeError(this.getNode(), error, i);
		}
	}
	return [output];
}

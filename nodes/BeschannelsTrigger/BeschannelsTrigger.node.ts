import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { groupFields, readOptions } from '../Beschannels/shared/descriptions';
import { matchFields } from '../Beschannels/shared/group/fieldNames';
import { getGroupFields } from '../Beschannels/shared/group/fields';
import { readGroup } from '../Beschannels/shared/group/groupUsers';
import { emptyReadNote, readGroupQuery, type GroupQuery } from '../Beschannels/shared/group/query';
import type { HeaderEntry } from '../Beschannels/shared/page';
import { startPageSize } from '../Beschannels/shared/group/pageSize';
import { readBoolean } from '../Beschannels/shared/values';
import { createShaper } from '../Beschannels/shared/items/shape';
import { BeschannelsClient } from '../Beschannels/shared/transport/client';
import { pollAnyNewMember, type AnyNewMemberOptions } from './anyNewMember';
import { readWatchFields } from './fieldHash';
import { pollNewLeads } from './newLeads';

const TRIGGER_OPTIONS = new Set(['pageSize', 'useLabels', 'addIsoDate', 'createdTimeOffset', 'timeout', 'maxRetries']);

export class BeschannelsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Beschannels Trigger',
		name: 'beschannelsTrigger',
		icon: { light: 'file:beschannels.svg', dark: 'file:beschannels.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["watch"] === "anyNewMember" ? "Any new member" : "New leads"}}',
		description: 'Starts a workflow when members join a Beschannels group',
		defaults: { name: 'Beschannels Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'beschannelsApi', required: true }],
		properties: [
			{
				displayName: 'Watch For',
				name: 'watch',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'New Leads',
						value: 'newLeads',
						description:
							'Members created since the last poll (by CreatedTime). Cheap: reads only the newest pages. A lead created earlier and added to the group later is not seen.',
					},
					{
						name: 'Any New Member',
						value: 'anyNewMember',
						description:
							'Every member that was not in the group at the last poll, whatever its CreatedTime. Reads the whole group each poll.',
					},
				],
				default: 'newLeads',
			},
			{
				displayName:
					'Beschannels does not say when a member joined a group. "New Leads" watches CreatedTime (when the lead was created); "Any New Member" compares the whole group with the last poll.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			...groupFields,
			{
				displayName: 'Also Report Members Who Left',
				name: 'includeLeft',
				type: 'boolean',
				default: false,
				description:
					'Whether to also emit an item { identity_id, event: "left" } for each member no longer in the group. Keeps every identity in the state (about 23 bytes per member instead of 8).',
				displayOptions: { show: { watch: ['anyNewMember'] } },
			},
			{
				displayName: 'Also Report Members Whose Fields Changed',
				name: 'includeUpdated',
				type: 'boolean',
				default: false,
				description:
					'Whether to also emit each member whose watched fields changed since the last poll, shaped like a new member, with event: "updated". Keeps a hash of each member\'s fields in the state (8 more bytes per member).',
				displayOptions: { show: { watch: ['anyNewMember'] } },
			},
			{
				displayName: 'Fields to Watch',
				name: 'watchFields',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getGroupFields', loadOptionsDependsOn: ['userId', 'groupObj', 'groupId'] },
				default: [],
				description:
					'The output fields whose change counts, e.g. score_20408 or Email (none: every field); an expression may give names separated by commas (a key, label or the list\'s text, in any case). A name the group does not have fails the poll. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				displayOptions: { show: { watch: ['anyNewMember'], includeUpdated: [true] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: readOptions.filter((option) => TRIGGER_OPTIONS.has(option.name)),
			},
		],
	};

	methods = { loadOptions: { getGroupFields } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const query: GroupQuery = readGroupQuery(this.getNode(), {
			userId: this.getNodeParameter('userId'),
			groupObj: this.getNodeParameter('groupObj'),
			groupId: this.getNodeParameter('groupId', ''),
			options,
		});
		const shapeFor = (header: HeaderEntry[]) =>
			createShaper({ ...query.shape, labels: query.useLabels ? header : undefined });
		const client = await BeschannelsClient.open(this, { deadlineMs: pollDeadline(this) });

		// Fetch Test Event: the newest member as a sample; the state is left as it is.
		if (this.getMode() === 'manual') return await testEvent(this, client, query, shapeFor);

		const { items, read } = await pollEvents(this, client, query, shapeFor);
		// every poll of an empty group finds nothing: say so where the operator can find it
		if (read === 0) this.logger.warn(`Beschannels Trigger: ${emptyReadNote(query)}`);
		return items.length > 0 ? [this.helpers.returnJsonArray(items)] : null;
	}
}

/**
 * Fetch Test Event: the newest member of the first page as a sample, with the event a poll would
 * give it; Fields to Watch checked against that page. Fails, saying what to check, when the group
 * returns no member.
 */
async function testEvent(
	context: IPollFunctions,
	client: BeschannelsClient,
	query: GroupQuery,
	shapeFor: (header: HeaderEntry[]) => (row: IDataObject) => IDataObject,
): Promise<INodeExecutionData[][]> {
	const sample = await readGroup(client, query, { returnAll: false, limit: startPageSize(query.pageSize) });
	const newest = sample.members.reduce<IDataObject | undefined>(
		(best, row) => (!best || String(row.CreatedTime ?? '') > String(best.CreatedTime ?? '') ? row : best),
		undefined,
	);
	const fail = (message: string, description: string) => new NodeOperationError(context.getNode(), message, { description });
	if (!newest) throw fail('No members in this group to show as a test event', emptyReadNote(query));
	const anyNewMember = context.getNodeParameter('watch') === 'anyNewMember';
	const watched = anyNewMember ? anyNewMemberOptions(context).updates?.watched : undefined;
	if (watched?.length) matchFields('Fields to Watch', watched, sample, fail, 'Nothing was emitted or saved.');
	return [context.helpers.returnJsonArray([{ ...shapeFor(sample.header)(newest), event: anyNewMember ? 'joined' : 'created' }])];
}

/** One poll of the saved state: the items to emit, and how many members were read. */
async function pollEvents(
	context: IPollFunctions,
	client: BeschannelsClient,
	query: GroupQuery,
	shapeFor: (header: HeaderEntry[]) => (row: IDataObject) => IDataObject,
): Promise<{ items: IDataObject[]; read: number }> {
	const staticData = context.getWorkflowStaticData('node');
	if (context.getNodeParameter('watch') === 'anyNewMember') {
		const change = await pollAnyNewMember(client, query, staticData, anyNewMemberOptions(context));
		const shape = shapeFor(change.header);
		const items = [
			...change.joined.map((row) => ({ ...shape(row), event: 'joined' })),
			...change.updated.map((row) => ({ ...shape(row), event: 'updated' })),
			...change.left.map((identity_id) => ({ identity_id, event: 'left' })),
		];
		return { items, read: change.read };
	}
	const outcome = await pollNewLeads(client, query, staticData);
	if (outcome.fellBack) {
		context.logger.warn(
			'Beschannels Trigger: the group is not ordered newest first; read the whole group so no new lead is missed',
		);
	}
	if (outcome.undated > 0) {
		context.logger.warn(
			`Beschannels Trigger: ${outcome.undated} members have no readable CreatedTime; New Leads cannot tell whether they are new (Any New Member can)`,
		);
	}
	const shape = shapeFor(outcome.header);
	return { items: outcome.members.map((row) => ({ ...shape(row), event: 'created' })), read: outcome.read };
}

function anyNewMemberOptions(context: IPollFunctions): AnyNewMemberOptions {
	const fail = (message: string, description: string) => new NodeOperationError(context.getNode(), message, { description });
	const trackLeft = readBoolean('Also Report Members Who Left', context.getNodeParameter('includeLeft', false), fail);
	const updates = readBoolean('Also Report Members Whose Fields Changed', context.getNodeParameter('includeUpdated', false), fail);
	if (!updates) return { trackLeft };
	return { trackLeft, updates: { watched: readWatchFields(context.getNodeParameter('watchFields', []), fail) } };
}

/**
 * How long a poll may read: n8n 2.x tells a poll its budget (`getPollBudgetMs`), after which it
 * abandons the tick; the read stops a little before, so the poll fails cleanly instead.
 */
function pollDeadline(context: IPollFunctions): number | undefined {
	const budget = (context as { getPollBudgetMs?: () => number }).getPollBudgetMs?.();
	if (typeof budget !== 'number' || !Number.isFinite(budget) || budget <= 0) return undefined;
	return Math.max(1000, budget - Math.min(5000, budget / 10));
}

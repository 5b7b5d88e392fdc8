// The flow commands of the command-line client: `flow create --file flow.json [--wait]`,
// `flow get <id>` and `flow cancel <id>`. With --wait, every event of the flow goes to stderr as it
// happens and the flow to stdout once it has finished: exit 0 if it COMPLETED, 1 otherwise.
import { readFileSync } from 'node:fs';
import { print } from './args.js';
import { Refused } from './client.js';
import type { Invocation } from './commands.js';
import { CliCancelFlowDocument, CliCreateFlowDocument, CliFlowGetDocument, type CliCreateFlowMutationVariables } from './generated.js';


/** The file: a createFlow input ({ name, tasks }) or just its list of tasks. */
function readFlow(path: unknown): CliCreateFlowMutationVariables['input'] {
  if (typeof path !== 'string') throw new Refused('flow create needs --file flow.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Refused(`cannot read the flow in ${path}: ${(error as Error).message}`);
  }
  if (Array.isArray(parsed)) return { tasks: parsed };
  if (parsed && typeof parsed === 'object' && Array.isArray((parsed as { tasks?: unknown }).tasks)) return parsed as CliCreateFlowMutationVariables['input'];
  throw new Refused(`${path} must hold { "name": ..., "tasks": [...] } or a list of tasks`);
}

const flowId = (i: Invocation) => {
  const id = i.args[1];
  if (!id || !/^[1-9][0-9]*$/.test(id)) throw new Refused(`flow ${i.args[0]} needs a flow id`);
  return id;
};

export async function flowCommand(i: Invocation): Promise<number> {
  const sub = i.args[0];
  if (sub === 'get') {
    const { flow } = await i.server.request(CliFlowGetDocument, { id: flowId(i) });
    if (!flow) throw new Refused(`there is no flow ${flowId(i)}`);
    return print(flow);
  }
  if (sub === 'cancel') return print((await i.server.request(CliCancelFlowDocument, { id: flowId(i) })).cancelFlow);
  if (sub !== 'create') throw new Refused('flow takes create --file FILE [--wait], get <id> or cancel <id>');
  const { createFlow } = await i.server.request(CliCreateFlowDocument, { input: readFlow(i.values.file) });
  if (!i.values.wait) return print(createFlow);
  console.error(`flow ${createFlow.id}: ${createFlow.total} tasks`);
  await i.server.followFlow(createFlow.id);
  const { flow } = await i.server.request(CliFlowGetDocument, { id: createFlow.id });
  print(flow);
  return flow?.status === 'COMPLETED' ? 0 : 1;
}

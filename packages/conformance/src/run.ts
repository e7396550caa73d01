/**
 * The run: for every catalogue method, find out whether the server
 * implements it, plan its cases, make each call over HTTP and over the
 * binary port with fresh fixture objects, check each answer and compare the
 * two protocols.
 */
import { type CatalogMethod, methods as catalogMethods } from '@pcloudkit/catalog';
import { type Case, planCases, type Value } from './cases.js';
import { checkAnswer, compareAnswers, type Finding } from './check.js';
import { type DeliberateDeviation, NOT_COMPARED, deviations as deliberateDeviations } from './deviations.js';
import { FILE_CONTENT, type FixtureContext, FixtureEnv, FixtureError, fixtureFor, NOT_CALLABLE, resolveValues } from './fixtures.js';
import { type Answer, call, type Endpoints, httpCall, openSession, type Protocol, type Session } from './protocol.js';

export interface Deviation {
  method: string;
  /** `http`, `binary`, or `both` for differences between the two. */
  protocol: Protocol | 'both';
  /** Stable key: `<case label>: <aspect>`. */
  check: string;
  detail: string;
}

export type MethodStatus = 'checked' | 'not implemented' | 'not covered';

export interface MethodReport {
  method: string;
  status: MethodStatus;
  calls: number;
  /** Deviations not listed as deliberate. */
  deviations: Deviation[];
  /** Deviations the deliberate-deviation file explains. */
  explained: Deviation[];
  /** For `not covered`: the params no fixture fills, or why the method cannot be called. */
  missing?: string[];
  reason?: string;
}

export interface RunReport {
  methods: MethodReport[];
  /** Every unexplained deviation. */
  unexplained: Deviation[];
  /** Deliberate-deviation entries that matched nothing (stale). */
  stale: DeliberateDeviation[];
}

export interface ServerTarget extends Endpoints, FixtureContext {}

export interface RunOptions {
  /** Check only these methods (default: the whole catalogue). */
  methods?: readonly string[];
  /** Default: both, or HTTP alone when the target has no binary port. */
  protocols?: readonly Protocol[];
  /** Default: the list in `src/deviations.ts`. */
  deviations?: readonly DeliberateDeviation[];
  /** Methods checked at the same time (default 4). */
  concurrency?: number;
  /** Catalogue entries to use (default: the whole catalogue). */
  catalog?: readonly CatalogMethod[];
  /** Told about every call made (the CLI's `--verbose`). */
  onCall?: (method: string, label: string, protocol: Protocol, answer: Answer) => void;
}

const BAD_TOKEN = 'pcloudkitconformancebadtoken0000000000000000';

/** Whether an answer says the server does not have the method (the emulator's 5000 note, or a dropped call). */
function notImplemented(answer: Answer): boolean {
  if (answer.kind === 'dropped') return true;
  return answer.body.result === 5000 && typeof answer.body.emulator === 'string';
}

/** Runs the checker against a server. */
export async function runConformance(target: ServerTarget, options: RunOptions = {}): Promise<RunReport> {
  const catalog = options.catalog ?? catalogMethods;
  const wanted = options.methods ? new Set(options.methods) : undefined;
  const protocols: readonly Protocol[] = options.protocols ?? (target.binapi ? ['http', 'binary'] : ['http']);
  const deliberate = options.deviations ?? deliberateDeviations;
  const runRoot = `/pcloudkit-conformance-${Date.now().toString(36)}`;
  const setup = new FixtureEnv(target, runRoot);
  await setup.api('createfolder', { path: runRoot });
  for (const p of protocols) await setup.api('createfolder', { path: `${runRoot}/${p}` });

  const list = catalog.filter((m) => !wanted || wanted.has(m.name));
  const reports: MethodReport[] = new Array(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      reports[i] = await checkMethod(target, list[i]!, protocols, runRoot, options.onCall);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  await httpCall(target.api, 'deletefolderrecursive', { auth: target.auth, path: runRoot }).catch(() => undefined);

  const used = new Set<DeliberateDeviation>();
  for (const r of reports) {
    const keep: Deviation[] = [];
    for (const d of r.deviations) {
      const entry = deliberate.find((e) => e.method === d.method && e.check === d.check);
      if (entry) {
        used.add(entry);
        r.explained.push(d);
      } else keep.push(d);
    }
    r.deviations = keep;
  }
  const checkedMethods = new Set(reports.filter((r) => r.status === 'checked').map((r) => r.method));
  return {
    methods: reports,
    unexplained: reports.flatMap((r) => r.deviations),
    stale: deliberate.filter(
      (e) => e.check !== NOT_COMPARED && !used.has(e) && (!wanted || wanted.has(e.method)) && checkedMethods.has(e.method),
    ),
  };
}

async function checkMethod(
  target: ServerTarget,
  method: CatalogMethod,
  protocols: readonly Protocol[],
  runRoot: string,
  onCall: RunOptions['onCall'],
): Promise<MethodReport> {
  const report: MethodReport = { method: method.name, status: 'checked', calls: 0, deviations: [], explained: [] };
  const reason = NOT_CALLABLE[method.name];
  if (reason !== undefined) return { ...report, status: 'not covered', reason };
  // A bare anonymous call tells whether the server has the method at all.
  if (notImplemented(await httpCall(target.api, method.name, {}))) return { ...report, status: 'not implemented' };
  // Descriptors live on the connection that opened them: such a call runs on a session of its own, after
  // a file_open on that same connection (the fixture `fd`).
  const onSession = method.connectionBound === true && method.params.some((p) => p.name === 'fd');
  const fixture = fixtureFor(method);
  const plan = planCases(method, fixture.provided, fixture.options);
  if (plan.missing.length > 0) return { ...report, status: 'not covered', missing: plan.missing };

  const setup = new FixtureEnv(target, runRoot);
  for (const p of protocols) await setup.api('createfolder', { path: `${runRoot}/${p}/${method.name}` });

  for (const [index, c] of plan.cases.entries()) {
    const answers = new Map<Protocol, Answer>();
    const roots = { http: '', binary: '' };
    for (const protocol of protocols) {
      const root = `${runRoot}/${protocol}/${method.name}/c${index}`;
      roots[protocol] = root;
      const env = new FixtureEnv(target, root);
      const session: Session | undefined = onSession ? openSession(target, protocol) : undefined;
      env.session = session;
      env.openDescriptor = c.login === 'user';
      const done = async () => {
        await session?.close();
        await env.close();
      };
      let params: Record<string, Value>;
      let credentials: Record<string, Value> = {};
      try {
        // every call of a session finds a descriptor open, those that leave `fd` out too
        if (session && env.openDescriptor && fixture.resolvers.has('fd')) await env.descriptor();
        const names = c.login === 'user' && fixture.resolvers.has('auth') ? [...c.uses, 'auth'] : c.uses;
        const values = await resolveValues(env, method, fixture.resolvers, names);
        params = c.params(values);
        credentials = credentialsFor(c, target, values);
      } catch (e) {
        await done();
        if (!(e instanceof FixtureError)) throw e;
        report.deviations.push({ method: method.name, protocol, check: `${c.label}: fixture`, detail: e.message });
        continue;
      }
      const id = `conformance-${index}`;
      const payload = method.data === 'upload' ? { payload: FILE_CONTENT, ...(c.multipart ? { multipart: true } : {}) } : {};
      const answer = session
        ? await session.call(method.name, { ...params, ...credentials, id }, payload)
        : await call(target, protocol, method.name, { ...params, ...credentials, id }, payload);
      await done();
      report.calls++;
      onCall?.(method.name, c.label, protocol, answer);
      answers.set(protocol, answer);
      for (const f of checkAnswer(method, c, answer, protocol, id)) report.deviations.push(toDeviation(method, protocol, c, f));
    }
    const http = answers.get('http');
    const binary = answers.get('binary');
    if (http && binary)
      for (const f of compareAnswers(http, binary, roots, method.name)) report.deviations.push(toDeviation(method, 'both', c, f));
  }
  return report;
}

function credentialsFor(c: Case, target: ServerTarget, values: Readonly<Record<string, Value>>): Record<string, Value> {
  if (c.login === 'none') return {};
  if (c.login === 'bad') return { auth: BAD_TOKEN };
  return { auth: values.auth ?? target.auth };
}

function toDeviation(method: CatalogMethod, protocol: Deviation['protocol'], c: Case, f: Finding): Deviation {
  return { method: method.name, protocol, check: `${c.label}: ${f.aspect}`, detail: f.detail };
}

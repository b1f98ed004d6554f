import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { n8nHarness } from './harness-paths.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built n8n package: test/global-setup.ts builds it once per test run. */
const BUILT_NODES = path.join(ROOT, 'dist/n8n');
export const PACKAGE_NAME = 'n8n-nodes-bucp-tracker';

/** A workflow as shipped in workflows/<name>.json. */
export async function shippedWorkflow(name: string): Promise<{ id: string } & Record<string, unknown>> {
  return JSON.parse(await readFile(path.join(ROOT, 'workflows', `${name}.json`), 'utf8')) as { id: string };
}

/**
 * Installs the built package into an n8n user folder the way n8n installs a community package:
 * `npm pack`, then the tarball unpacked into ~/.n8n/nodes/node_modules/<name>, where n8n scans for
 * `n8n-nodes-*` packages at startup. Only what the package's `files` list ships is there.
 */
export async function installCommunityPackage(home: string): Promise<string> {
  const packDir = await mkdtemp(path.join(os.tmpdir(), 'bucp-pack-'));
  const tarball = execFileSync('npm', ['pack', BUILT_NODES, '--pack-destination', packDir, '--silent'], {
    encoding: 'utf8',
  }).trim();
  const target = path.join(home, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
  await mkdir(target, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(packDir, tarball), '-C', target, '--strip-components=1']);
  return target;
}

/** One node's output items in an execution, as `n8n execute --rawOutput` reports them. */
export interface NodeRun {
  readonly items: Record<string, unknown>[];
  readonly executionTime: number;
  readonly error?: unknown;
}

export interface Execution {
  readonly status: string;
  readonly nodes: ReadonlyMap<string, NodeRun>;
  readonly stdout: string;
  readonly stderr: string;
}

interface RawRun {
  status: string;
  data: {
    resultData: {
      runData: Record<
        string,
        { executionTime: number; error?: unknown; data?: { main: ({ json: Record<string, unknown> }[] | null)[] } }[]
      >;
    };
  };
}

/**
 * A real n8n (the pinned version from the cache folder) with its own user folder: credentials and
 * workflows are imported, then workflows run with `n8n execute --id`.
 */
export class N8n {
  readonly home: string;
  private readonly env: NodeJS.ProcessEnv;

  /** A free port on loopback, for n8n's task broker and HTTP server: several n8n may run at once. */
  static freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
  }

  static async create(home: string, env: Record<string, string>): Promise<N8n> {
    return new N8n(home, {
      N8N_RUNNERS_BROKER_PORT: String(await N8n.freePort()),
      N8N_PORT: String(await N8n.freePort()),
      ...env,
    });
  }

  /**
   * An n8n with our built nodes loaded (by default from dist/n8n, through N8N_CUSTOM_EXTENSIONS), on a fixed clock,
   * holding the credentials the shipped workflows name: `bucpWorkbook` for the tracker, and
   * `bucpSmtp` for a local SMTP server when its port is given.
   */
  static async forTracker(
    home: string,
    options: {
      /** The workbooks of the `bucpWorkbook` credential; none for a tracker elsewhere. */
      paths?: { tracker: string; restricted: string };
      /** More credentials to import, such as an Airtable token. */
      credentials?: unknown[];
      now: string;
      smtpPort?: number;
      /** More settings, such as queue mode's. */
      env?: Record<string, string>;
      /**
       * How n8n gets our nodes: from dist/n8n through N8N_CUSTOM_EXTENSIONS (types `CUSTOM.*`), or
       * installed as a community package (types `n8n-nodes-bucp-tracker.*`).
       */
      nodes?: 'custom-extensions' | 'community-package';
    },
  ): Promise<N8n> {
    const community = options.nodes === 'community-package';
    if (community) await installCommunityPackage(home);
    const n8n = await N8n.create(home, {
      ...(community ? {} : { N8N_CUSTOM_EXTENSIONS: BUILT_NODES }),
      BUCP_NOW: options.now,
      ...options.env,
    });
    const { paths, smtpPort } = options;
    await n8n.importCredentials([
      ...(paths === undefined
        ? []
        : [
            {
              id: 'bucpWorkbook',
              name: 'BUCP Local Workbook',
              type: 'bucpWorkbookApi',
              data: { trackerPath: paths.tracker, restrictedPath: paths.restricted },
            },
          ]),
      ...(options.credentials ?? []),
      ...(smtpPort === undefined
        ? []
        : [
            {
              id: 'bucpSmtp',
              name: 'SMTP account',
              type: 'smtp',
              data: { host: '127.0.0.1', port: smtpPort, secure: false, disableStartTls: true, user: '', password: '' },
            },
          ]),
    ]);
    return n8n;
  }

  /** The HTTP port of `n8n start`: its editor, REST API and webhooks. */
  get port(): number {
    return Number(this.env.N8N_PORT);
  }

  private constructor(home: string, env: Record<string, string>) {
    this.home = home;
    // Not the test runner's environment: n8n refuses to load nodes when NODE_ENV is "test".
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV' && k !== 'TEST'),
    );
    this.env = {
      ...inherited,
      NODE_ENV: 'production',
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
      N8N_USER_FOLDER: home,
      N8N_DIAGNOSTICS_ENABLED: 'false',
      N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
      N8N_PERSONALIZATION_ENABLED: 'false',
      N8N_RUNNERS_ENABLED: 'true',
      N8N_LOG_LEVEL: 'info',
      BUCP_LOG_FORMAT: 'json',
      ...env,
    };
  }

  /** Runs an n8n command to its end; `onOutput` sees its output (stdout and stderr) as it comes. */
  run(args: string[], onOutput?: (text: string) => void): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(n8nHarness().bin, args, { env: this.env, cwd: this.home });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        onOutput?.(c.toString());
      });
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        onOutput?.(c.toString());
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  /**
   * `n8n start`, the long-running instance that runs published workflows' triggers (and in queue
   * mode hands their executions to the queue), or `n8n worker`, which takes executions from the
   * queue. Its output is collected in `log`; `stop()` ends it.
   */
  start(command: 'start' | 'worker' = 'start', args: string[] = []): { log: () => string; stop: () => Promise<void> } {
    const child: ChildProcess = spawn(n8nHarness().bin, [command, ...args], { env: this.env, cwd: this.home });
    let log = '';
    child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    return {
      log: () => log,
      stop: () =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.on('close', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        }),
    };
  }

  private async importFile(kind: 'credentials' | 'workflow', name: string, content: unknown): Promise<void> {
    const dir = path.join(this.home, 'imports');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, name);
    await writeFile(file, JSON.stringify(content));
    const result = await this.run([`import:${kind}`, '--input', file]);
    if (result.code !== 0) throw new Error(`n8n import:${kind} failed:\n${result.stdout}\n${result.stderr}`);
  }

  importCredentials(credentials: unknown[]): Promise<void> {
    return this.importFile('credentials', 'credentials.json', credentials);
  }

  importWorkflow(workflow: { id: string }): Promise<void> {
    return this.importFile('workflow', `${workflow.id}.json`, workflow);
  }

  async execute(id: string, options: { onOutput?: (text: string) => void } = {}): Promise<Execution> {
    const { code, stdout, stderr } = await this.run(['execute', '--id', id, '--rawOutput'], options.onOutput);
    // The run's JSON is printed pretty, from a line "{" to a line "}"; log lines may come around it.
    const start = stdout.search(/^\{$/m);
    const end = stdout.indexOf('\n}', start);
    if (code !== 0 || start < 0 || end < 0)
      throw new Error(`n8n execute ${id} failed (exit ${code}):\n${stdout}\n${stderr}`);
    const raw = JSON.parse(stdout.slice(start, end + 2)) as RawRun;
    const nodes = new Map<string, NodeRun>();
    for (const [name, runs] of Object.entries(raw.data.resultData.runData)) {
      const last = runs.at(-1)!;
      nodes.set(name, {
        items: (last.data?.main[0] ?? []).map((i) => i.json),
        executionTime: last.executionTime,
        ...(last.error ? { error: last.error } : {}),
      });
    }
    return { status: raw.status, nodes, stdout, stderr };
  }
}

/** Waits for `check` to hold, polling every half second; on timeout, fails with the tail of n8n's log. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; n8n said:\n${log().slice(-6000)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

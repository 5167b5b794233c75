import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '@writ/test/harness';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, spawnBroker, waitForHealthy } from './support/broker-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** The ```sh blocks of `file` between `heading` and the next heading of its level or higher. */
async function shellBlocks(file: string, heading: string): Promise<string> {
  const lines = (await readFile(`${ROOT}${file}`, 'utf8')).split('\n');
  const level = heading.indexOf(' ');
  const start = lines.indexOf(heading);
  expect(start, `${file} has "${heading}"`).toBeGreaterThanOrEqual(0);
  const blocks: string[] = [];
  let block: string[] | undefined;
  for (const line of lines.slice(start + 1)) {
    if (block) {
      if (line.startsWith('```')) {
        blocks.push(block.join('\n'));
        block = undefined;
      } else {
        block.push(line);
      }
    } else if (line === '```sh') {
      block = [];
    } else if (/^#+ /.test(line) && line.indexOf(' ') <= level) {
      break;
    }
  }
  expect(blocks.length, `${file} "${heading}" has sh blocks`).toBeGreaterThan(0);
  return blocks.join('\n');
}

/** Runs a documented script as a reader would (bash, curl, node), against the dev broker. */
async function runScript(script: string, broker: string): Promise<string[]> {
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', BROKER: broker },
    timeout: 30_000,
  });
  return stdout.split('\n').filter((line) => line.trim() !== '');
}

/** The docs' examples run: docs/handoff.md's walk-through and the README's orchestrator → worker. */
describe('e2e: the documented handoff walk-throughs run', () => {
  let broker: BrokerProcess;
  beforeAll(async () => {
    broker = spawnBroker({}, await freePort());
    await waitForHealthy(broker);
  }, 30_000);
  afterAll(async () => {
    await broker.stop('SIGKILL');
  });

  const expectWorkerWrit = (line: string | undefined) => {
    const answer = JSON.parse(line ?? '{}') as { access_token: string; scope: string };
    expect(answer.scope).toBe('tool:jira.read');
    const claims = decodeJwt(answer.access_token);
    expect(claims).toMatchObject({
      sub: 'spiffe://dev.local/agents/orchestrator',
      client_id: 'spiffe://dev.local/agents/worker',
      aud: 'https://api.example.com',
      act: { sub: 'spiffe://dev.local/agents/worker' },
    });
    expect((claims.task as { chain: string[] }).chain).toHaveLength(1);
  };

  it('docs/handoff.md: handoff, acceptance, and a refused second acceptance', async () => {
    const lines = await runScript(
      await shellBlocks('docs/handoff.md', '## Walk-through (dev mode)'),
      broker.url,
    );
    expect(lines).toHaveLength(2);
    expectWorkerWrit(lines[0]);
    expect(JSON.parse(lines[1] ?? '{}')).toEqual({
      error: 'invalid_request',
      error_description: 'the handoff was already used',
      reason: 'handoff_used',
    });
  }, 60_000);

  it('README: orchestrator → worker end to end', async () => {
    const lines = await runScript(
      await shellBlocks('README.md', '### Orchestrator → worker in dev mode'),
      broker.url,
    );
    expect(lines).toHaveLength(1);
    expectWorkerWrit(lines[0]);
  }, 60_000);
});

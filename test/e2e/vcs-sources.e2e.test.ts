/**
 * `clef-agent` with each VCS provider pointed at a loopback server that speaks that
 * provider's API: serves the vectors' secrets, and polls conditionally.
 */
import { FakeBitbucketApi } from '../support/fakes/bitbucket-api';
import { FakeGitHubApi } from '../support/fakes/github-api';
import { FakeGitLabApi } from '../support/fakes/gitlab-api';
import type { LoggedRequest } from '../support/fakes/loopback-server';
import { AGE_KEY_FILE, loadExpect, vectorText, vectorVerifyKey } from '../support/vectors';
import { startAgent, stopAllAgents } from '../support/agent-process';

const PATH = '.clef/packed/vector-svc/production.age.json';
const TOKEN = 'vcs-token-0123456789abcdef';
const expected = loadExpect('b-ed25519-signed');

afterAll(stopAllAgents);

function agentEnv(provider: string, repo: string, apiUrl: string): Record<string, string> {
  return {
    CLEF_AGENT_VCS_PROVIDER: provider,
    CLEF_AGENT_VCS_REPO: repo,
    CLEF_AGENT_VCS_TOKEN: TOKEN,
    CLEF_AGENT_VCS_IDENTITY: 'vector-svc',
    CLEF_AGENT_VCS_ENVIRONMENT: 'production',
    CLEF_AGENT_VCS_API_URL: apiUrl,
    CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
    CLEF_AGENT_VERIFY_KEY: vectorVerifyKey(),
    CLEF_AGENT_POLL_INTERVAL: '0.2',
  };
}

async function servesVectorAndPollsConditionally(env: Record<string, string>, log: () => LoggedRequest[], unchanged: (e: LoggedRequest) => boolean) {
  const agent = await startAgent({ env });
  await agent.waitReady();
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(expected.secrets);
  expect((await agent.authGet('/v1/keys')).json()).toEqual(expected.keys);
  expect((await agent.get('/v1/health')).json()).toMatchObject({ revision: expected.revision, source: { type: env.CLEF_AGENT_VCS_PROVIDER } });
  await agent.waitFor('/v1/health', () => log().filter(unchanged).length >= 2);
  expect(agent.output).not.toContain(TOKEN);
  await agent.stop();
}

it('GitHub Enterprise (/api/v3): raw contents API, If-None-Match answered 304', async () => {
  const fake = await FakeGitHubApi.start({ token: TOKEN, basePath: '/api/v3' });
  fake.addRepo('acme/secrets', 'trunk');
  fake.putFile('acme/secrets', PATH, vectorText('b-ed25519-signed'));
  await servesVectorAndPollsConditionally(agentEnv('github', 'acme/secrets', fake.apiUrl), () => fake.http.log, (e) => e.status === 304);
  expect(fake.http.log.every((e) => e.path.startsWith('/api/v3/repos/acme/secrets/contents/'))).toBe(true);
  await fake.close();
});

it('GitLab self-managed (/gitlab): default branch resolved, blob id checked with HEAD', async () => {
  const fake = await FakeGitLabApi.start({ token: TOKEN, basePath: '/gitlab' });
  fake.addProject('platform/secrets', 'develop');
  fake.putFile('platform/secrets', PATH, vectorText('b-ed25519-signed'));
  await servesVectorAndPollsConditionally(agentEnv('gitlab', 'platform/secrets', fake.apiUrl), () => fake.http.log, (e) => e.method === 'HEAD' && e.status === 200);
  const downloads = fake.http.log.filter((e) => e.method === 'GET' && e.path.includes('/raw'));
  expect(downloads).toHaveLength(1);
  await fake.close();
});

it('Bitbucket Cloud: main branch resolved, unchanged commit skips the download', async () => {
  const fake = await FakeBitbucketApi.start({ token: TOKEN });
  fake.addRepo('acme/secrets', 'production-branch');
  fake.putFile('acme/secrets', PATH, vectorText('b-ed25519-signed'));
  await servesVectorAndPollsConditionally(agentEnv('bitbucket', 'acme/secrets', fake.apiUrl), () => fake.http.log, (e) => e.path.includes('format=meta'));
  const raw = fake.http.log.filter((e) => e.path.includes('/src/') && !e.path.includes('format=meta'));
  expect(raw).toHaveLength(1);
  await fake.close();
});

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createTopologyHandler, DEADLINE_MARGIN_MS } from '../../lambda/topology/index';
import { DEFAULT_RETRY, ManagementApiError, ManagementClient } from '../../lambda/topology/management-client';
import { uniqueTopology } from './fixtures';

/**
 * The topology handler's management calls against a fake management API that fails the way a broker that just
 * reached RUNNING, or a network blip, does: each request is answered by the next scripted behaviour.
 */
type Behaviour = 'ok' | 'hang' | 'reset' | number;

interface FakeApi {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

async function fakeApi(script: Behaviour[], then: Behaviour = 'ok'): Promise<FakeApi> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const behaviour = script[requests.length] ?? then;
    requests.push(`${req.method} ${req.url}`);
    if (behaviour === 'hang') return; // accepted, never answered
    if (behaviour === 'reset') {
      req.socket.destroy();
      return;
    }
    const status = behaviour === 'ok' ? 200 : behaviour;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(status === 200 ? { name: 'vhost' } : { error: `status ${status}`, reason: 'scripted' }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const FAST = { attempts: 5, baseDelayMs: 20, maxDelayMs: 100 };

function client(api: FakeApi, extra: Partial<ConstructorParameters<typeof ManagementClient>[0]> = {}) {
  return new ManagementClient({
    managementUrl: api.url,
    username: 'admin',
    password: 'secret',
    timeoutMs: 300,
    retry: FAST,
    ...extra,
  });
}

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

test('the default retry policy: six attempts, backoff from 0.5 s doubling up to 8 s', () => {
  expect(DEFAULT_RETRY).toEqual({ attempts: 6, baseDelayMs: 500, maxDelayMs: 8_000 });
});

test('a management API that fails with 503, 502, 500, 429 and then answers is retried until it succeeds', async () => {
  api = await fakeApi([503, 502, 500, 429]);
  await expect(client(api).get('/api/vhosts/x')).resolves.toEqual({ name: 'vhost' });
  expect(api.requests).toEqual(Array(5).fill('GET /api/vhosts/x'));
});

test('a dropped connection and a request that times out are retried, for writes too', async () => {
  api = await fakeApi(['reset', 'hang']);
  await expect(client(api).put('/api/vhosts/x', {})).resolves.toBeUndefined();
  expect(api.requests).toEqual(Array(3).fill('PUT /api/vhosts/x'));
});

test('an answer is not retried: 400, 401 and a PUT refused with 404 fail at once with the status', async () => {
  for (const status of [400, 401, 404]) {
    const once = await fakeApi([status]);
    const attempt = client(once).put('/api/vhosts/x', {});
    await expect(attempt).rejects.toBeInstanceOf(ManagementApiError);
    await expect(attempt).rejects.toThrow(
      new RegExp(`PUT /api/vhosts/x answered ${status}: status ${status}: scripted$`),
    );
    expect(once.requests).toHaveLength(1);
    await once.close();
  }
});

test('a management API that keeps failing is given up after the attempts, naming the status and the count', async () => {
  api = await fakeApi([], 503);
  const started = Date.now();
  const attempt = client(api).get('/api/overview');
  await expect(attempt).rejects.toBeInstanceOf(ManagementApiError);
  await expect(attempt).rejects.toThrow(
    /GET \/api\/overview answered 503: status 503: scripted \(gave up after 5 attempts\)/,
  );
  expect(api.requests).toHaveLength(5);
  // Four backoffs of at most 20, 40, 80 and 100 ms.
  expect(Date.now() - started).toBeLessThan(2_000);
});

test('an endpoint that never answers is given up within the deadline, however many attempts remain', async () => {
  api = await fakeApi([], 'hang');
  const started = Date.now();
  const slow = client(api, { retry: { attempts: 100, baseDelayMs: 50, maxDelayMs: 50 }, deadline: started + 1_000 });
  await expect(slow.get('/api/overview')).rejects.toThrow(
    /GET http:\/\/127\.0\.0\.1:\d+\/api\/overview failed: .*(timeout|aborted).*gave up after \d+ attempts?: the deadline left no time for another/i,
  );
  const elapsed = Date.now() - started;
  expect(elapsed).toBeGreaterThanOrEqual(900);
  expect(elapsed).toBeLessThan(1_500);
  expect(api.requests.length).toBeLessThan(100);
});

test('retry.attempts below 1 is refused with the value', () => {
  expect(
    () =>
      new ManagementClient({
        managementUrl: 'http://127.0.0.1:1',
        username: 'a',
        password: 'b',
        retry: { ...FAST, attempts: 0 },
      }),
  ).toThrow(/retry\.attempts: got 0; allowed: a whole number of at least 1/);
});

test('the handler stops retrying before the Lambda deadline and reports the cause to CloudFormation', async () => {
  api = await fakeApi([], 503);
  const topology = uniqueTopology();
  const handler = createTopologyHandler({
    readSecret: async () => ({ username: 'admin', password: 'secret' }),
    logger: { info: () => undefined },
  });
  const started = Date.now();
  const attempt = handler(
    {
      RequestType: 'Delete',
      ServiceToken: 'token',
      ResponseURL: 'https://example.invalid',
      StackId: 'stack',
      RequestId: 'request',
      LogicalResourceId: 'Topology',
      ResourceType: 'Custom::RabbitMqTopology',
      PhysicalResourceId: `rabbitmq-topology:${topology.vhost}`,
      ResourceProperties: {
        ServiceToken: 'token',
        Topology: JSON.stringify(topology),
        ManagementEndpoint: api.url,
        AdminSecretArn: 'arn:admin',
        RetainOnDelete: 'false',
      },
    },
    // 1.5 s left for the handler, of which DEADLINE_MARGIN_MS is kept back for reporting.
    { getRemainingTimeInMillis: () => DEADLINE_MARGIN_MS + 1_500 },
  );
  // Usually the deadline ends it; with very short random backoffs the six attempts may run out first.
  await expect(attempt).rejects.toThrow(
    /answered 503: status 503: scripted \(gave up after \d+ attempts(: the deadline left no time for another)?\)/,
  );
  expect(Date.now() - started).toBeLessThan(1_500 + 500);
  expect(api.requests.length).toBeGreaterThan(1);
});

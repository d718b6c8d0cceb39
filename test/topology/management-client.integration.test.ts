import { createServer, type Socket } from 'node:net';
import { apiPath, ManagementApiError, ManagementClient } from '../../lambda/topology/management-client';
import { LOCAL_BROKER } from './fixtures';

test('apiPath encodes each segment, so the default vhost "/" becomes %2F', () => {
  expect(apiPath('queues', '/', 'a b')).toBe('/api/queues/%2F/a%20b');
});

test('a URL that is not http(s)://HOST is refused with the value', () => {
  expect(() => new ManagementClient({ ...LOCAL_BROKER, managementUrl: 'broker:15672' })).toThrow(
    /managementUrl: got "broker:15672"; expected http\(s\):\/\/HOST\[:PORT\] of the RabbitMQ management API/,
  );
});

test('GET of a missing object is undefined, DELETE of one is false', async () => {
  const client = new ManagementClient(LOCAL_BROKER);
  await expect(client.get(apiPath('vhosts', 'does-not-exist-topology-test'))).resolves.toBeUndefined();
  await expect(client.delete(apiPath('vhosts', 'does-not-exist-topology-test'))).resolves.toBe(false);
});

test("wrong credentials give an error with method, path, status and RabbitMQ's reason", async () => {
  const client = new ManagementClient({ ...LOCAL_BROKER, password: 'wrong' });
  const attempt = client.get('/api/overview');
  await expect(attempt).rejects.toBeInstanceOf(ManagementApiError);
  await expect(attempt).rejects.toThrow(/RabbitMQ management API GET \/api\/overview answered 401: not_authori[sz]ed/);
});

test('an unreachable or silent endpoint fails within the timeout and names the target (one attempt)', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket)); // accepts, never answers
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  try {
    const client = new ManagementClient({
      ...LOCAL_BROKER,
      managementUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 300,
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    await expect(client.get('/api/overview')).rejects.toThrow(
      new RegExp(
        `RabbitMQ management API GET http://127.0.0.1:${port}/api/overview failed: .*(timeout|aborted).*\\(gave up after 1 attempt\\)`,
        'i',
      ),
    );
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});

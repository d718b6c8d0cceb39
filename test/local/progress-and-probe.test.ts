import { createServer, type Server } from 'node:net';
import { probeBroker } from '../../local/broker-probe';
import { ProgressBar, renderProgress } from '../../local/progress';

describe('renderProgress', () => {
  test('draws a 30-cell bar with count, percentage, detail and elapsed seconds', () => {
    expect(renderProgress(667, 2000, 'delivered 650', 4_100)).toBe(
      '[##########--------------------]  667/2000  33%  delivered 650  4.1s',
    );
  });

  test('caps at 100% and treats an empty total as done', () => {
    expect(renderProgress(5, 4, '', 0)).toMatch(/^\[#{30}\] 5\/4 100%/);
    expect(renderProgress(0, 0, '', 0)).toMatch(/^\[#{30}\] 0\/0 100%/);
  });
});

describe('ProgressBar', () => {
  function sink(isTTY: boolean) {
    const chunks: string[] = [];
    return { chunks, isTTY, write: (c: string) => chunks.push(c) > 0 };
  }

  test('on a terminal it redraws in place, throttled, and ends the line on finish', () => {
    let t = 0;
    const out = sink(true);
    const bar = new ProgressBar(out, 10, { now: () => t });
    bar.update(1, 'a');
    t = 50;
    bar.update(2, 'b'); // throttled
    t = 150;
    bar.update(3, 'c');
    bar.finish(10, 'done');
    expect(out.chunks).toHaveLength(4);
    expect(out.chunks[0]).toBe(`\r[###${'-'.repeat(27)}]  1/10  10%  a  0.0s\u001b[K`);
    expect(out.chunks[2]).toContain('10/10 100%  done');
    expect(out.chunks[3]).toBe('\n');
  });

  test('without a terminal it prints whole lines at the line interval', () => {
    let t = 0;
    const out = sink(false);
    const bar = new ProgressBar(out, 4, { now: () => t, lineIntervalMs: 1_000 });
    bar.update(1, 'x');
    t = 500;
    bar.update(2, 'x');
    t = 1_000;
    bar.update(3, 'x');
    bar.finish(4, 'x');
    expect(out.chunks.map((c) => c.match(/(\d)\/4/)?.[1])).toEqual(['1', '3', '4']);
    expect(out.chunks.every((c) => c.endsWith('\n') && !c.includes('\r'))).toBe(true);
  });

  test('without a terminal an unchanged state is repeated only as a heartbeat', () => {
    let t = 0;
    const out = sink(false);
    const bar = new ProgressBar(out, 4, { now: () => t, lineIntervalMs: 1_000, heartbeatMs: 10_000 });
    for (t = 0; t <= 25_000; t += 1_000) bar.update(2, 'waiting');
    expect(out.chunks).toHaveLength(3); // at 0 s, 10 s and 20 s
  });
});

describe('probeBroker', () => {
  test('a closed AMQP port fails fast with how to start a broker', async () => {
    const started = Date.now();
    const probe = probeBroker({
      amqpUrl: 'amqp://guest:guest@127.0.0.1:1',
      managementUrl: 'http://127.0.0.1:1',
      username: 'guest',
      password: 'guest',
    });
    await expect(probe).rejects.toThrow(
      /No RabbitMQ broker answers on amqp:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)[\s\S]*bash scripts\/ensure-broker\.sh[\s\S]*--print-docker/,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  describe('with something listening on the AMQP port', () => {
    let server: Server;
    let port: number;
    let closedPort: number;
    beforeAll(async () => {
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      closedPort = (probe.address() as { port: number }).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      server = createServer((socket) => socket.end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test('a missing management API is named, with the plugin to enable', async () => {
      await expect(
        probeBroker({
          amqpUrl: `amqp://127.0.0.1:${port}`,
          managementUrl: `http://127.0.0.1:${closedPort}`,
          username: 'guest',
          password: 'guest',
        }),
      ).rejects.toThrow(
        /management API at http:\/\/127\.0\.0\.1:\d+ does not \(ECONNREFUSED\)[\s\S]*rabbitmq-plugins enable rabbitmq_management/,
      );
    });
  });

  test('wrong management credentials are named (shared local broker)', async () => {
    await expect(
      probeBroker({
        amqpUrl: 'amqp://127.0.0.1:5672',
        managementUrl: 'http://127.0.0.1:15672',
        username: 'nobody',
        password: 'wrong',
      }),
    ).rejects.toThrow(/refused user "nobody" \(HTTP 401\)/);
  });

  test('the shared local broker passes', async () => {
    await expect(
      probeBroker({
        amqpUrl: 'amqp://127.0.0.1:5672',
        managementUrl: 'http://127.0.0.1:15672',
        username: 'guest',
        password: 'guest',
      }),
    ).resolves.toBeUndefined();
  });
});

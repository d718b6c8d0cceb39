import { captureOutput, emfMetrics } from '../../bench/log-capture';

describe('bench log capture', () => {
  test('counts the bytes and lines written to stdout and stderr, and shows none of them', async () => {
    const output = await captureOutput(async () => {
      process.stdout.write('{"level":"INFO","message":"Batch done"}\n');
      process.stderr.write('{"level":"WARN","message":"careful"}\n');
    });
    expect(output.events).toBe(2);
    expect(output.bytes).toBe(
      Buffer.byteLength('{"level":"INFO","message":"Batch done"}\n{"level":"WARN","message":"careful"}\n'),
    );
  });

  test('restores the streams even when the work throws', async () => {
    const write = process.stdout.write;
    await expect(
      captureOutput(async () => {
        throw new Error('handler failed');
      }),
    ).rejects.toThrow(/handler failed/);
    expect(process.stdout.write).toBe(write);
  });

  test('finds each metric × dimension set declared in embedded-metric-format lines', () => {
    const emf = JSON.stringify({
      _aws: {
        Timestamp: 0,
        CloudWatchMetrics: [
          {
            Namespace: 'Ns',
            Dimensions: [['service']],
            Metrics: [{ Name: 'RecordsReceived' }, { Name: 'RecordsForwarded' }],
          },
        ],
      },
      service: 'bridge',
      RecordsReceived: 1,
      RecordsForwarded: 1,
    });
    expect([...emfMetrics([emf, emf, 'not json', '{"level":"INFO"}'])]).toEqual([
      'Ns / RecordsReceived / service',
      'Ns / RecordsForwarded / service',
    ]);
  });
});

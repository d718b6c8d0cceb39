import { describeBenchSmoke } from './support/bench-smoke';

/** The bench's broker and SQS sections, smoke-run (test/bench/support/bench-smoke.ts); the other half is beside it. */
describeBenchSmoke({
  sections: ['amqp', 'sqs', 'pipeline'],
  fields: [
    'rawAmqpConfirmedPublishPerSec',
    'rawSqsBatchSendPerSec',
    'rawSqsWithAttributesPerSec',
    'producerPerSec',
    'producerRatio',
    'producerPublishOnlyPerSec',
    'bridgePerSec',
    'bridgeRatio',
    'pipelinePerSec',
    'pipelineRatio',
    'pipelineSqsCallsPerMessage',
    'latencyMs.p50',
    'latencyMs.p95',
    'latencyMs.p99',
    'latencyMs.ratePerSec',
  ],
  targets: ['producerRatio', 'bridgeRatio', 'pipelineRatio', 'latencyMs.p99'],
  runs: ['rawAmqpConfirmedPublishPerSec', 'producerPerSec', 'rawSqsBatchSendPerSec', 'bridgePerSec', 'pipelinePerSec'],
});

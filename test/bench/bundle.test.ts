import { FUNCTION_BUNDLING } from '../../lib/config/function-bundling';
import { lambdaEsbuildOptions, sdkClientsOf } from '../../bench/bundle';

describe('the bench bundles as the stack does', () => {
  it('turns FUNCTION_BUNDLING into the esbuild options NodejsFunction passes', () => {
    expect(lambdaEsbuildOptions('nodejs24.x')).toMatchObject({
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: FUNCTION_BUNDLING.format,
      minify: FUNCTION_BUNDLING.minify,
      sourcemap: FUNCTION_BUNDLING.sourceMap,
      sourcesContent: FUNCTION_BUNDLING.sourcesContent,
      mainFields: FUNCTION_BUNDLING.mainFields,
    });
  });

  it('leaves nothing external while the stack bundles the AWS SDK', () => {
    expect(FUNCTION_BUNDLING.bundleAwsSDK).toBe(true);
    expect(lambdaEsbuildOptions('nodejs24.x').external).toEqual([]);
  });
});

describe('sdkClientsOf', () => {
  it('finds the client class of every @aws-sdk/client-* package among the inputs, once each', () => {
    expect(
      sdkClientsOf([
        'lambda/consumer/index.ts',
        'node_modules/@aws-sdk/client-sqs/dist-es/SQSClient.js',
        'node_modules/@aws-sdk/client-sqs/dist-es/commands/SendMessageBatchCommand.js',
        'node_modules/@aws-sdk/client-dynamodb/dist-es/DynamoDBClient.js',
        'node_modules/@aws-sdk/core/dist-es/index.js',
        'node_modules/@aws-sdk/util-dynamodb/dist-es/marshall.js',
      ]),
    ).toEqual([
      { pkg: '@aws-sdk/client-dynamodb', client: 'DynamoDBClient' },
      { pkg: '@aws-sdk/client-sqs', client: 'SQSClient' },
    ]);
  });

  it('finds none in a bundle without an AWS SDK client', () => {
    expect(sdkClientsOf(['lambda/producer/event.ts', 'node_modules/amqplib/lib/channel.js'])).toEqual([]);
  });
});

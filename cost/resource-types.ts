/**
 * Every CloudFormation resource type a stage's template may hold, and how the estimate treats it: `priced` (with
 * where), or `free` (with why). test/cost/resource-coverage.test.ts fails when a stage's template holds a type that
 * is in neither list, so a new kind of resource cannot slip past the estimate unnoticed.
 */
export type ResourceTreatment = { readonly priced: string } | { readonly free: string };

export const RESOURCE_TYPES: Readonly<Record<string, ResourceTreatment>> = {
  'AWS::AmazonMQ::Broker': {
    priced: 'broker-node hours by instance type and deployment mode; storage of waiting messages',
  },
  'AWS::AmazonMQ::Configuration': {
    free: 'a broker configuration (its revisions) is not billed; the broker it configures is',
  },
  'AWS::MSK::Cluster': { priced: 'broker hours by instance type × broker nodes; provisioned EBS storage' },
  'AWS::EC2::VPCEndpoint': { priced: 'interface endpoints: hours per AZ, data processed (gateway endpoints are free)' },
  'AWS::EC2::NatGateway': { priced: 'NAT gateway hours' },
  'AWS::EC2::EIP': { priced: 'public IPv4 address hours' },
  'AWS::CloudWatch::Alarm': { priced: 'alarm metrics; Metrics Insights alarms per time series analyzed' },
  'AWS::CloudWatch::Dashboard': { priced: 'per dashboard-month' },
  'AWS::KMS::Key': { priced: 'per key-month (requests left out: a handful of alarm notifications)' },
  'AWS::SecretsManager::Secret': { priced: 'per secret-month (API calls left out: read once per container)' },
  'AWS::Lambda::Function': {
    priced:
      'requests, GB-seconds, logs and X-Ray per message for functions an event source invokes; others listed as not priced',
  },
  'AWS::Lambda::EventSourceMapping': {
    priced: 'its polling is billed as the SQS requests and Lambda invocations it makes',
  },
  'AWS::SQS::Queue': { priced: 'requests the pipeline makes (standard or FIFO price)' },
  'AWS::DynamoDB::Table': {
    priced: 'on-demand write request units, storage and point-in-time recovery of idempotency records',
  },
  'AWS::Logs::LogGroup': {
    priced: 'ingestion and storage of the message-path functions’ logs (flow logs: see AWS::EC2::FlowLog)',
  },
  'AWS::EC2::VPC': { free: 'a VPC has no charge' },
  'AWS::EC2::Subnet': { free: 'subnets have no charge' },
  'AWS::EC2::RouteTable': { free: 'route tables have no charge' },
  'AWS::EC2::SubnetRouteTableAssociation': { free: 'no charge' },
  'AWS::EC2::SecurityGroup': { free: 'security groups have no charge' },
  'AWS::EC2::SecurityGroupIngress': { free: 'no charge' },
  'AWS::EC2::SecurityGroupEgress': { free: 'no charge' },
  'AWS::EC2::FlowLog': {
    free: 'the flow log itself has no charge; its records are log ingestion that follows connections, not messages (left out, docs/cost.md)',
  },
  'AWS::IAM::Role': { free: 'IAM has no charge' },
  'AWS::IAM::Policy': { free: 'IAM has no charge' },
  'AWS::SQS::QueuePolicy': { free: 'no charge' },
  'AWS::SNS::Topic': { free: 'alarm notifications only: a handful of publishes a month, within the free tier' },
  'AWS::SNS::TopicPolicy': { free: 'no charge' },
  'AWS::SNS::Subscription': { free: 'email deliveries of alarm notifications, within the free tier' },
  'AWS::StepFunctions::StateMachine': {
    free: 'the custom-resource waiter: a few state transitions per deploy, not per message',
  },
  'AWS::CloudFormation::CustomResource': { free: 'runs on deploy, update and delete only' },
  'Custom::LogRetention': {
    free: 'sets a retention at deploy time (the broker log group it manages is not estimated)',
  },
  'Custom::RabbitMqTopology': { free: 'applies the topology at deploy time' },
  'Custom::EventSourceMappingCleanup': {
    free: "removes a shard's event source mapping and waits for its network interfaces on delete (its function runs only then)",
  },
  'Custom::AWS': {
    free: "reads the MSK cluster's bootstrap brokers at deploy time (CDK's AwsCustomResource; runs only on deploy)",
  },
  'AWS::CDK::Metadata': { free: 'CDK metadata, not a billed resource' },
  'AWS::MSK::Configuration': { free: 'a configuration has no charge' },
  'AWS::MSK::Topic': { free: 'topics have no charge (storage is priced on the cluster)' },
};

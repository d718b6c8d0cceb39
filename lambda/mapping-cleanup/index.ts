import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { logger } from '../shared/observability';
import { createCleanupHandler, type MappingApi, type NetworkInterfaceApi } from './cleanup';

// Module scope: one client each per container.
const lambda = new LambdaClient({});
const ec2 = new EC2Client({});

/** `false` / `undefined` for a mapping that does not exist; every other error fails the request. */
export function lambdaMappingApi(client: Pick<LambdaClient, 'send'>): MappingApi {
  return {
    deleteMapping: async (uuid) => {
      try {
        await client.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
        return true;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return false;
        throw error;
      }
    },
    mappingState: async (uuid) => {
      try {
        const mapping = await client.send(new GetEventSourceMappingCommand({ UUID: uuid }));
        return mapping.State ?? 'Unknown';
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    },
  };
}

/** Every page of DescribeNetworkInterfaces filtered on the description prefix (EC2 filters accept a `*` wildcard). */
export function ec2NetworkInterfaceApi(client: Pick<EC2Client, 'send'>): NetworkInterfaceApi {
  return {
    interfacesWithDescriptionPrefix: async (prefix) => {
      const ids: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await client.send(
          new DescribeNetworkInterfacesCommand({
            Filters: [{ Name: 'description', Values: [`${prefix}*`] }],
            NextToken,
          }),
        );
        for (const eni of page.NetworkInterfaces ?? []) if (eni.NetworkInterfaceId) ids.push(eni.NetworkInterfaceId);
        NextToken = page.NextToken;
      } while (NextToken);
      return ids;
    },
  };
}

export const handler = createCleanupHandler({
  lambda: lambdaMappingApi(lambda),
  ec2: ec2NetworkInterfaceApi(ec2),
  log: (message, attributes) => logger.info(message, attributes),
});

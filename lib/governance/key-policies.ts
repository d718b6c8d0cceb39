import { Effect, PolicyStatement, StarPrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';

/**
 * Adds the statement AWS Control Tower's CT.KMS.PR.3 asks every key policy for: no principal may create a grant on
 * the key unless the grant is for an AWS service acting on the caller's behalf (`kms:GrantIsForAWSResource`) or the
 * caller is an AWS service (`aws:PrincipalIsAWSService`). The account root's `kms:*` (CDK's default key policy)
 * otherwise lets any IAM principal of the account hand out lasting access to the key through a grant.
 */
export function denyGrantsExceptForAwsServices(key: Key): void {
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'DenyGrantsExceptForAwsServices',
      effect: Effect.DENY,
      principals: [new StarPrincipal()],
      actions: ['kms:CreateGrant'],
      // In a key policy "*" means this key.
      resources: ['*'],
      conditions: {
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
      },
    }),
  );
}

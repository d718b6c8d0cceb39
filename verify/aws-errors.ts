/**
 * Turns the AWS SDK's failures that a user can fix (no credentials, no region, expired or refused credentials,
 * no network) into one sentence that says what to do. Anything else is returned undefined and reported as is.
 */
export function explainAwsError(error: unknown): string | undefined {
  const e = error as { name?: string; message?: string; code?: string; Code?: string };
  const name = e.name ?? '';
  const message = e.message ?? '';
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return (
      'No AWS credentials found. Configure them the usual way — AWS_PROFILE (after `aws configure` or `aws sso login`), ' +
      'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an instance/container role — then run npm run verify again.'
    );
  }
  if (/Region is missing/i.test(message)) {
    return 'No AWS region configured: pass --region REGION or set AWS_REGION.';
  }
  if (/^(ExpiredToken|ExpiredTokenException|RequestExpired)$/.test(name)) {
    return `The AWS credentials have expired (${name}); refresh them (e.g. aws sso login) and try again.`;
  }
  if (
    /^(UnrecognizedClientException|InvalidClientTokenId|SignatureDoesNotMatch|InvalidSignatureException)$/.test(name)
  ) {
    return `AWS refused the credentials (${name}: ${message}); check the profile or access keys.`;
  }
  if (/^(AccessDenied|AccessDeniedException|AuthorizationError)$/.test(name)) {
    return `AWS denied a call verify needs (${message}). It needs cloudformation:DescribeStacks, lambda:InvokeFunction, sqs:ReceiveMessage/DeleteMessage/GetQueueAttributes and mq:DescribeBroker.`;
  }
  const code = e.code ?? (e as { cause?: { code?: string } }).cause?.code;
  if (code === 'ENOTFOUND' || code === 'ECONNREFUSED' || code === 'EAI_AGAIN' || name === 'TimeoutError') {
    return `Cannot reach the AWS endpoint (${code ?? name}: ${message}); check the network and the region.`;
  }
  return undefined;
}

// The outbound guard's address classes, on addresses taken from the RFCs that reserve them
// (RFC 1918, 6598, 3927, 4193, 4291, 6052) and the cloud providers' metadata endpoints.
import { describe, expect, it } from 'vitest';
import { checkDestination, OutboundError } from './outbound.js';
import { classifyAddress } from './outbound-address.js';

describe('classifyAddress', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.10.20', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['100.127.255.255', 'shared (CGNAT)'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fd00:ec2::254', 'metadata'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::10.0.0.1', 'private'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.15.255.255',
    '172.32.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '169.253.255.255',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
  ])('%s is public', (ip) => {
    expect(classifyAddress(ip)).toBe('public');
  });

  it('throws on what is not an address', () => {
    expect(() => classifyAddress('example.com')).toThrow(/not an IP address/);
  });
});

describe('checkDestination (no network: the resolver is a stand-in)', () => {
  const resolver = (answers: Record<string, string[]>) => async (host: string) =>
    (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('refuses a name that resolves to a private address, naming the host, the address and the fix', async () => {
    const err = await checkDestination(
      'https://hooks.internal.example/x?token=s3cret',
      {},
      resolver({
        'hooks.internal.example': ['10.0.0.7'],
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundError);
    expect((err as OutboundError).reason).toBe('refused');
    expect((err as Error).message).toContain('hooks.internal.example (10.0.0.7) is a private address');
    expect((err as Error).message).toContain('outbound.allowHosts');
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('refuses when any one of the addresses is private (no mixed answers)', async () => {
    await expect(
      checkDestination('https://mixed.example/', {}, resolver({ 'mixed.example': ['8.8.8.8', '127.0.0.1'] })),
    ).rejects.toThrow(/loopback/);
  });

  it('refuses metadata by name and by literal address', async () => {
    await expect(checkDestination('http://metadata.google.internal/computeMetadata/v1/', {})).rejects.toThrow(
      /metadata address/,
    );
    await expect(checkDestination('http://169.254.169.254/latest/meta-data/', {})).rejects.toThrow(
      /169\.254\.169\.254 is a metadata address/,
    );
    await expect(checkDestination('http://[fd00:ec2::254]/', {})).rejects.toThrow(/metadata address/);
  });

  it('refuses schemes other than http and https, and credentials in the URL', async () => {
    await expect(checkDestination('file:///etc/passwd', {})).rejects.toThrow(/only http and https/);
    await expect(checkDestination('ftp://example.com/', {})).rejects.toThrow(/only http and https/);
    await expect(checkDestination('https://u:p@example.com/', {})).rejects.toThrow(/carries credentials/);
    await expect(checkDestination('not a url', {})).rejects.toThrow(/not a valid absolute URL/);
  });

  it('allows a listed host[:port] or every private address when told, and pins the resolved address', async () => {
    const r = resolver({ 'receiver.svc': ['10.9.8.7'] });
    await expect(checkDestination('http://receiver.svc:8080/h', {}, r)).rejects.toThrow(/private/);
    await expect(
      checkDestination('http://receiver.svc:8080/h', { allowHosts: ['receiver.svc:9090'] }, r),
    ).rejects.toThrow(/private/);
    expect(
      await checkDestination('http://receiver.svc:8080/h', { allowHosts: ['receiver.svc:8080'] }, r),
    ).toMatchObject({ address: '10.9.8.7', destination: 'receiver.svc:8080' });
    expect(
      await checkDestination('http://receiver.svc:8080/h', { allowHosts: ['receiver.svc'] }, r),
    ).toMatchObject({
      address: '10.9.8.7',
    });
    expect(await checkDestination('http://127.0.0.1/h', { allowPrivateAddresses: true }, r)).toMatchObject({
      address: '127.0.0.1',
    });
    expect(
      await checkDestination(
        'https://public.example/h',
        {},
        resolver({ 'public.example': ['93.184.215.14'] }),
      ),
    ).toMatchObject({ address: '93.184.215.14', family: 4 });
  });
});

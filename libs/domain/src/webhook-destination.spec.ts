import { internalAddress, internalHost } from './webhook-destination';

describe('webhook destinations', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '[::1]',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '224.0.0.1',
  ])('refuses %s', (ip) => expect(internalAddress(ip)).toMatch(/loopback, private or link-local/));

  it.each(['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('accepts %s', (ip) =>
    expect(internalAddress(ip)).toBeNull(),
  );

  it('refuses localhost by name and accepts other names (checked again once resolved)', () => {
    expect(internalHost('localhost')).toMatch(/this machine/);
    expect(internalHost('api.localhost.')).toMatch(/this machine/);
    expect(internalHost('LOCALHOST')).toMatch(/this machine/);
    expect(internalHost('hooks.example.com')).toBeNull();
    expect(internalHost('127.0.0.1')).not.toBeNull();
  });
});

import { ConfigError, loadConfig } from '../src';

const base = { DATABASE_URL: 'postgres://unused' };
const trustProxy = (v?: string) => loadConfig(v === undefined ? base : { ...base, TRUST_PROXY: v }, ['limits']).TRUST_PROXY;

describe('the limits section', () => {
  it('when nothing is set, then no proxy is trusted and the limits have their defaults', () => {
    expect(loadConfig(base, ['limits'])).toMatchObject({
      TRUST_PROXY: false,
      INGEST_UNAUTH_LIMIT: 30,
      INGEST_UNAUTH_WINDOW_SECONDS: 60,
      INGEST_UNAUTH_STORED_PER_MINUTE: 20,
      LOGIN_FAILURES_PER_USER: 10,
      LOGIN_FAILURES_PER_SOURCE: 30,
      LOGIN_FAILURE_WINDOW_SECONDS: 900,
    });
  });

  it('when TRUST_PROXY is a number of hops or a list of addresses, then Express gets that', () => {
    expect(trustProxy('1')).toBe(1);
    expect(trustProxy('loopback, 10.0.0.0/8')).toEqual(['loopback', '10.0.0.0/8']);
    expect(trustProxy('false')).toBe(false);
  });

  it('when TRUST_PROXY is true, then the error says a client could pick its address', () => {
    expect(() => trustProxy('true')).toThrow(ConfigError);
    expect(() => trustProxy('true')).toThrow(/TRUST_PROXY.*any client pick its address/);
  });
});

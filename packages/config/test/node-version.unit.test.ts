import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeVersionSupported, SUPPORTED_NODE } from '../src';

const root = path.resolve(__dirname, '../../..');

test('package.json engines states the Node versions the start-up check enforces', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
  expect(pkg.engines.node).toBe(SUPPORTED_NODE);
});

test.each([
  ['18.20.4', false],
  ['20.11.1', false], // no process.loadEnvFile
  ['20.18.3', false], // below @prisma/client's ^20.19
  ['20.19.0', true],
  ['20.20.2', true],
  ['21.7.3', false],
  ['22.12.0', false], // below eslint's ^22.13
  ['22.13.0', true],
  ['23.11.0', false],
  ['24.0.0', true],
  ['25.2.1', true],
])('Node %s supported: %s', (version, ok) => {
  expect(nodeVersionSupported(version)).toBe(ok);
});

test('the Node running the tests is supported', () => {
  expect(nodeVersionSupported(process.versions.node)).toBe(true);
});

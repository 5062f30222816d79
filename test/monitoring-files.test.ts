import { createMetrics } from '@bridge/metrics';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** deploy/grafana and deploy/prometheus are read by tools we cannot run here; this proves they only use series we export. */
const root = path.resolve(__dirname, '..');
const alerts = parse(readFileSync(path.join(root, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
  groups: { name: string; rules: { alert: string; expr: string; for?: string }[] }[];
};
const dashboard = JSON.parse(readFileSync(path.join(root, 'deploy/grafana/aitable-bridge.json'), 'utf8')) as {
  panels: { title: string; targets: { expr: string }[] }[];
};

// A histogram is exported as its _bucket, _sum and _count series.
const exported = new Set(
  createMetrics('test')
    .registry.getMetricsAsArray()
    .flatMap((m) => (String(m.type) === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => `${m.name}${s}`) : [m.name])),
);
const seriesIn = (expr: string) => [...new Set(expr.match(/\bbridge_[a-z0-9_]+/g) ?? [])];
const alertExprs = alerts.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })));
const panelExprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel ${p.title}`, expr: t.expr })));

describe('monitoring files', () => {
  it.each([...alertExprs, ...panelExprs])('when $where is read, then every bridge_ series it uses is one we export', ({ expr }) => {
    const used = seriesIn(expr);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((s) => !exported.has(s))).toEqual([]);
  });

  it('when the alert rules are read, then each condition the runbook names has a rule', () => {
    const byName = Object.fromEntries(alertExprs.map((a) => [a.where.replace('alert ', ''), a.expr]));
    expect(Object.keys(byName).sort()).toEqual([
      'BridgeAitableThrottling',
      'BridgeFailedJobsGrowing',
      'BridgeFailoverHoldGaveUp',
      'BridgeNoWebhookReceived',
      'BridgeOldestWaitingJobTooOld',
      'BridgeRedisReplicaNotConfirming',
      'BridgeSyncLatencyP95High',
      'BridgeWebhookRejectionRateRising',
    ]);
    expect(byName.BridgeAitableThrottling).toContain('cause="http_429"');
  });
});

// Platform-owned: tests of the chassis metrics. Changes come from templates/service on upgrade, not by hand.
import { spawnSync } from 'node:child_process';
import type { FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceInfo } from '../../src/chassis/service-info';
import { buildTestApp, type TestApp } from '../support';

let service: TestApp;
afterEach(() => service.app.close());

const routes: FastifyPluginAsync = async (app) => {
  app.get('/albums/:id', async () => ({ ok: true }));
};

describe('GET /metrics', () => {
  it('exposes the request histogram by route pattern, plus default metrics, in Prometheus text format', async () => {
    service = await buildTestApp({ routes });
    for (const url of ['/albums/1', '/albums/2', '/albums/3', '/no/such/thing']) await service.app.inject({ url });

    const response = await service.app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);

    const text = response.body;
    const labels = `service="${serviceInfo.name}",version="${serviceInfo.version}"`;
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toContain(
      `http_request_duration_seconds_count{${labels},method="GET",route="/albums/:id",status_code="200"} 3`,
    );
    expect(text).toContain(
      `http_request_duration_seconds_count{${labels},method="GET",route="not_found",status_code="404"} 1`,
    );
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="\+Inf",.*route="\/albums\/:id"/);
    expect(text).not.toMatch(/route="\/albums\/\d"|route="\/no\//);
    expect(text).toContain(`process_cpu_user_seconds_total{${labels}}`);
    expect(text).toContain(`nodejs_eventloop_lag_seconds{${labels}}`);
  });

  it('keeps a registry per app', async () => {
    service = await buildTestApp({ routes });
    const other = await buildTestApp({ routes });
    await other.app.inject({ url: '/albums/1' });
    expect((await service.app.inject({ url: '/metrics' })).body).not.toContain('route="/albums/:id"');
    await other.app.close();
  });
});

/** promtool (Debian package `prometheus`) lints the text format as Prometheus reads it. */
const promtoolMissing = spawnSync('promtool', ['--version']).error !== undefined;

describe('GET /metrics, checked by promtool', () => {
  it.skipIf(promtoolMissing)(
    promtoolMissing
      ? 'skipped: promtool is not on PATH (install the Debian package prometheus, e.g. .ci/install-packages prometheus)'
      : 'passes `promtool check metrics`, served over HTTP by a listening app',
    async () => {
      service = await buildTestApp({ routes });
      const base = await service.app.listen({ port: 0, host: '127.0.0.1' });
      for (const path of ['/albums/1', '/no/such/thing', '/health/ready']) await fetch(`${base}${path}`);
      const text = await (await fetch(`${base}/metrics`)).text();

      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect({ status: check.status, problems: `${check.stdout}${check.stderr}` }).toEqual({ status: 0, problems: '' });
      // What it refused before: gauges named like counters. The per-type gauges hold the same counts.
      expect(text).not.toMatch(/^nodejs_active_(handles|requests|resources)_total/m);
      expect(text).toMatch(/^nodejs_active_handles\{type="[A-Za-z]+",/m);
      expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    },
  );
});

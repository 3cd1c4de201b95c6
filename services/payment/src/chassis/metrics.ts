// Platform-owned: Prometheus metrics. Changes come from templates/service on upgrade, not by hand.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerLogMetrics } from './logger';
import { unencapsulated } from './plugin';
import { servedUnderPressure } from './pressure';
import { routePattern } from './request-log';
import { serviceInfo } from './service-info';

/** Prometheus metrics on a registry of the app's own (no global state shared between apps or tests). */
export const metrics = unencapsulated('metrics', async (app) => {
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceInfo.name, version: serviceInfo.version });
  collectDefaultMetrics({ register: registry });
  // prom-client's nodejs_active_{handles,requests,resources}_total are gauges, and Prometheus keeps `_total` for
  // counters (`promtool check metrics` refuses them). The per-type gauges beside them (nodejs_active_handles{type}, …)
  // hold the same counts: sum() them for the total.
  for (const metric of registry.getMetricsAsArray()) {
    if (!(metric instanceof Counter) && metric.name.endsWith('_total')) registry.removeSingleMetric(metric.name);
  }
  registerLogMetrics(registry, app.log);

  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests, from arrival to the response being sent',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });

  app.addHook('onResponse', (request, reply, done) => {
    requestDuration.observe(
      { method: request.method, route: routePattern(request), status_code: reply.statusCode },
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.get('/metrics', { config: { probe: true, ...servedUnderPressure } }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
});

/* The insight page's charts. The body names the page's one answer (data-page-api), which holds every
 * chart's answer under its key (data-chart on each canvas); this file fetches it and draws them with
 * Chart.js, both served from our origin. No inline script, no innerHTML: values are set as text. The
 * page refreshes every 30 s (the "as of" time says when the shown data was asked for). `data-state` on
 * a canvas says ready or error. */
(function () {
  'use strict';
  var COLORS = ['#1f77b4', '#2ca02c', '#d62728', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var REFRESH_MS = 30000;
  var STAGES = { leads: 'leads', portal_created: 'portal created', order_won: 'order won/active', audit_delivered: 'audit delivered' };
  var charts = {};

  function color(i) {
    return COLORS[i % COLORS.length];
  }

  // Interval labels are in UTC, as the API's bucket times; the x axis title says so.
  function label(iso, bucketSeconds) {
    var d = new Date(iso);
    var day = d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate());
    var time = pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
    return bucketSeconds >= 86400 ? day : bucketSeconds >= 21600 ? day + ' ' + time : time;
  }

  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }

  function age(seconds) {
    if (seconds < 60) return seconds + 's';
    if (seconds < 3600) return Math.floor(seconds / 60) + 'm ' + (seconds % 60) + 's';
    if (seconds < 86400) return Math.floor(seconds / 3600) + 'h ' + Math.floor((seconds % 3600) / 60) + 'm';
    return Math.floor(seconds / 86400) + 'd ' + Math.floor((seconds % 86400) / 3600) + 'h';
  }

  /** A duration in human units, milliseconds below a second: 72 ms, 4.2 s, 3m 5s. */
  function duration(seconds) {
    if (seconds < 1) return Math.round(seconds * 1000) + ' ms';
    if (seconds < 10) return Math.round(seconds * 10) / 10 + ' s';
    return age(Math.round(seconds));
  }

  function percent(v) {
    return Math.round(v * 1000) / 10 + ' %';
  }

  // Rates on a percent axis (left), counts on an integer axis (right), seconds on a duration axis.
  var AXES = {
    ratio: { id: 'pct', position: 'left', min: 0, max: 1, ticks: { callback: percent } },
    count: { id: 'count', position: 'right', beginAtZero: true, ticks: { precision: 0 } },
    seconds: { id: 'sec', position: 'left', beginAtZero: true, ticks: { callback: duration } },
  };

  function seriesConfig(canvas, body) {
    var kind = canvas.getAttribute('data-kind');
    var units = {};
    body.series.forEach(function (s) {
      units[s.unit] = true;
    });
    var scales = { x: { stacked: kind === 'bar', title: { display: true, text: 'interval start (UTC)' } } };
    Object.keys(units).forEach(function (u) {
      var a = AXES[u];
      var title = u === 'ratio' ? 'rate' : u === 'count' ? 'count' : 'time';
      scales[a.id] = {
        position: Object.keys(units).length === 1 ? 'left' : a.position,
        min: a.min,
        max: a.max,
        beginAtZero: true,
        stacked: kind === 'bar' && u === 'count',
        ticks: a.ticks,
        title: { display: true, text: title },
        grid: { drawOnChartArea: u !== 'count' || Object.keys(units).length === 1 },
      };
    });
    return {
      type: kind,
      data: {
        labels: body.buckets.map(function (b) {
          return label(b, body.bucketSeconds);
        }),
        datasets: body.series.map(function (s, i) {
          // In a chart of a rate or a time with its counts, that is the line and the counts are bars behind it.
          var type = kind === 'line' && s.unit === 'count' && (units.ratio || units.seconds) ? 'bar' : kind;
          return {
            type: type,
            label: s.name,
            unit: s.unit,
            data: s.values,
            yAxisID: AXES[s.unit].id,
            backgroundColor: color(i),
            borderColor: color(i),
            // An interval without data is a gap, not a line drawn across it.
            spanGaps: false,
            pointRadius: 2,
            order: type === 'bar' ? 2 : 1,
          };
        }),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: scales,
        plugins: {
          legend: { position: 'bottom' },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var u = ctx.dataset.unit;
                var v = ctx.raw;
                var text = v === null ? 'no data' : u === 'ratio' ? percent(v) : u === 'seconds' ? duration(v) : String(v);
                return ctx.dataset.label + ': ' + text;
              },
            },
          },
        },
      },
    };
  }

  function stuckLink(stage, n) {
    var a = document.createElement('a');
    a.href =
      'api/insight/funnel/stuck?stage=' +
      encodeURIComponent(stage) +
      '&range=' +
      encodeURIComponent(document.body.getAttribute('data-range'));
    a.textContent = n + ' stuck before this';
    return a;
  }

  function funnelConfig(body) {
    fillRows(
      'funnel-table',
      body.stages.map(function (s, i) {
        var dropped = i === 0 ? 0 : body.stages[i - 1].count - s.count;
        return [
          STAGES[s.stage] || s.stage,
          s.count,
          s.conversion === null ? '–' : percent(s.conversion),
          s.medianSecondsFromPrevious === null ? '–' : duration(s.medianSecondsFromPrevious),
          i === 0 ? '–' : stuckLink(s.stage, dropped),
        ];
      }),
    );
    return {
      type: 'bar',
      data: {
        labels: body.stages.map(function (s) {
          return STAGES[s.stage] || s.stage;
        }),
        datasets: [
          {
            label: 'leads reaching the stage',
            data: body.stages.map(function (s) {
              return s.count;
            }),
            backgroundColor: color(0),
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: 'y',
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  }

  function queuesConfig(body) {
    fillRows(
      'queue-table',
      body.queues.map(function (q) {
        return [q.queue, q.waiting, q.active, q.delayed, q.failed, q.waiting ? age(q.oldestWaitingSeconds) : '–'];
      }),
    );
    var states = ['waiting', 'active', 'delayed', 'failed'];
    return {
      type: 'bar',
      data: {
        labels: body.queues.map(function (q) {
          return q.queue;
        }),
        datasets: states.map(function (st, i) {
          return {
            label: st,
            data: body.queues.map(function (q) {
              return q[st];
            }),
            backgroundColor: color(i),
          };
        }),
      },
      options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    };
  }

  function fillRows(tableId, rows) {
    var tbody = document.querySelector('#' + tableId + ' tbody');
    tbody.replaceChildren.apply(
      tbody,
      rows.map(function (cells) {
        var tr = document.createElement('tr');
        cells.forEach(function (c) {
          var td = document.createElement('td');
          if (c instanceof Node) td.appendChild(c);
          else td.textContent = String(c);
          tr.appendChild(td);
        });
        return tr;
      }),
    );
  }

  function errorCodes(table, body) {
    var since = encodeURIComponent(body.since);
    if (body.codes.length === 0) {
      fillRows(table.id, [['no failed attempts in the period', '', '', '', '']]);
      table.setAttribute('data-state', 'ready');
      return;
    }
    fillRows(
      table.id,
      body.codes.map(function (c) {
        var a = document.createElement('a');
        // Failure reasons start with the error code, so the failed-jobs filter finds this code's jobs.
        var byCode = c.code === 'unexpected' ? '' : '&error=' + encodeURIComponent(c.code + ':');
        a.href = 'api/failed-jobs?queue=' + encodeURIComponent(c.queue) + '&since=' + since + byCode;
        a.textContent = 'failed jobs';
        var board = document.createElement('a');
        board.href = 'admin/queues/queue/' + encodeURIComponent(c.queue) + '?status=failed';
        board.textContent = 'Bull Board';
        var links = document.createElement('span');
        links.append(a, ' · ', board);
        return [c.code, c.queue, c.attempts, c.finalFailures, links];
      }),
    );
    table.setAttribute('data-state', 'ready');
  }

  function fetchJson(url) {
    return fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' }).then(function (res) {
      if (!res.ok) throw new Error(url + ' answered ' + res.status);
      return res.json();
    });
  }

  function draw(canvas, body) {
    var kind = canvas.getAttribute('data-kind');
    var config = kind === 'funnel' ? funnelConfig(body) : kind === 'queues' ? queuesConfig(body) : seriesConfig(canvas, body);
    var existing = charts[canvas.id];
    if (existing) {
      existing.data = config.data;
      existing.options = config.options;
      existing.update();
    } else {
      charts[canvas.id] = new Chart(canvas, config);
    }
    canvas.setAttribute('data-state', 'ready');
  }

  function showError(err) {
    var p = document.getElementById('insight-error');
    p.textContent = 'Could not load: ' + err.message;
    p.hidden = false;
  }

  var manualBox = document.getElementById('latency-manual');

  function refresh() {
    var canvases = document.querySelectorAll('canvas[data-chart]');
    var url = document.body.getAttribute('data-page-api') + (manualBox.checked ? '&manual=include' : '');
    var started = new Date();
    return fetchJson(url)
      .then(function (page) {
        Array.prototype.forEach.call(canvases, function (c) {
          try {
            draw(c, page.charts[c.getAttribute('data-chart')]);
          } catch (err) {
            c.setAttribute('data-state', 'error');
            throw err;
          }
        });
        errorCodes(document.getElementById('error-codes'), page.charts['error-codes']);
        var asOf = document.getElementById('as-of');
        asOf.textContent =
          'as of ' + pad(started.getUTCHours()) + ':' + pad(started.getUTCMinutes()) + ':' + pad(started.getUTCSeconds()) + ' UTC';
        asOf.setAttribute('datetime', started.toISOString());
        document.body.setAttribute('data-ready', 'true');
      })
      .catch(showError);
  }

  // The latency chart leaves replayed jobs out unless asked; the box switches its API and the JSON link beside it.
  manualBox.addEventListener('change', function () {
    var canvas = document.getElementById('chart-latency');
    var api = canvas.getAttribute('data-api').replace(/&manual=[a-z]*/, '') + (manualBox.checked ? '&manual=include' : '');
    canvas.setAttribute('data-api', api);
    canvas.closest('section').querySelector('p a').setAttribute('href', api);
    canvas.setAttribute('data-state', 'loading');
    fetchJson(api)
      .then(function (body) {
        draw(canvas, body);
      })
      .catch(showError);
  });

  refresh();
  setInterval(refresh, REFRESH_MS);
})();

/* The insight page's charts. Each canvas names its JSON API (data-api); this file fetches it and
 * draws it with Chart.js, both served from our origin. No inline script, no innerHTML: values are
 * set as text. Every chart refreshes every 30 s. `data-state` on a canvas says ready or error. */
(function () {
  'use strict';
  var COLORS = ['#1f77b4', '#2ca02c', '#d62728', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var REFRESH_MS = 30000;
  var STAGES = { leads: 'leads', portal_created: 'portal created', order_won: 'order won/active', audit_delivered: 'audit delivered' };
  var charts = {};

  function color(i) {
    return COLORS[i % COLORS.length];
  }

  function label(iso, bucketSeconds) {
    var d = new Date(iso);
    var pad = function (n) {
      return (n < 10 ? '0' : '') + n;
    };
    var day = d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate());
    var time = pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
    return bucketSeconds >= 86400 ? day : bucketSeconds >= 21600 ? day + ' ' + time : time;
  }

  function age(seconds) {
    if (seconds < 60) return seconds + 's';
    if (seconds < 3600) return Math.floor(seconds / 60) + 'm ' + (seconds % 60) + 's';
    if (seconds < 86400) return Math.floor(seconds / 3600) + 'h ' + Math.floor((seconds % 3600) / 60) + 'm';
    return Math.floor(seconds / 86400) + 'd ' + Math.floor((seconds % 86400) / 3600) + 'h';
  }

  function seriesConfig(canvas, body) {
    var kind = canvas.getAttribute('data-kind');
    var ratio = canvas.getAttribute('data-unit') === 'ratio';
    return {
      type: kind,
      data: {
        labels: body.buckets.map(function (b) {
          return label(b, body.bucketSeconds);
        }),
        datasets: body.series.map(function (s, i) {
          return { label: s.name, data: s.values, backgroundColor: color(i), borderColor: color(i), spanGaps: true, pointRadius: 2 };
        }),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: kind === 'bar' },
          y: { stacked: kind === 'bar', beginAtZero: true, max: ratio ? 1 : undefined },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    };
  }

  function funnelConfig(body) {
    fillRows(
      'funnel-table',
      body.stages.map(function (s) {
        return [
          STAGES[s.stage] || s.stage,
          s.count,
          s.conversion === null ? '–' : Math.round(s.conversion * 1000) / 10 + ' %',
          s.medianSecondsFromPrevious === null ? '–' : age(Math.round(s.medianSecondsFromPrevious)),
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
      options: { animation: false, maintainAspectRatio: false, indexAxis: 'y', scales: { x: { beginAtZero: true } } },
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
      options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
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

  function draw(canvas) {
    var kind = canvas.getAttribute('data-kind');
    return fetchJson(canvas.getAttribute('data-api')).then(function (body) {
      var config = kind === 'funnel' ? funnelConfig(body) : kind === 'queues' ? queuesConfig(body) : seriesConfig(canvas, body);
      var existing = charts[canvas.id];
      if (existing) {
        existing.data = config.data;
        existing.update();
      } else {
        charts[canvas.id] = new Chart(canvas, config);
      }
      canvas.setAttribute('data-state', 'ready');
    });
  }

  function showError(err) {
    var p = document.getElementById('insight-error');
    p.textContent = 'Could not load: ' + err.message;
    p.hidden = false;
  }

  function refresh() {
    var work = Array.prototype.map.call(document.querySelectorAll('canvas[data-api]'), function (c) {
      return draw(c).catch(function (err) {
        c.setAttribute('data-state', 'error');
        throw err;
      });
    });
    var table = document.getElementById('error-codes');
    work.push(
      fetchJson(table.getAttribute('data-api')).then(function (body) {
        errorCodes(table, body);
      }),
    );
    return Promise.all(work).then(function () {
      document.body.setAttribute('data-ready', 'true');
    }, showError);
  }

  refresh();
  setInterval(refresh, REFRESH_MS);
})();

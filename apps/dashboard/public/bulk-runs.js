// The bulk runs page: reads /api/bulk-runs every second and draws the table; operators start,
// cancel and restart runs with JSON fetches (the dashboard refuses forms and other sites).
(function () {
  'use strict';
  var operator = document.body.dataset.operator === 'true';
  var tbody = document.querySelector('#runs tbody');
  var refreshed = document.getElementById('refreshed');
  var message = document.getElementById('start-message');

  function say(text, isError) {
    if (!message) return;
    message.textContent = text;
    message.className = isError ? 'error' : 'muted';
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body || {}),
      credentials: 'same-origin',
    }).then(function (res) {
      return res.json().then(function (json) {
        if (!res.ok) throw new Error(json.message || res.statusText);
        return json;
      });
    });
  }

  function filterText(run) {
    var f = run.filter || {};
    var parts = [];
    if (f.where) parts.push('where ' + f.where);
    if (f.errorCode) parts.push('error ' + f.errorCode);
    if (f.since) parts.push('since ' + f.since);
    if (f.until) parts.push('until ' + f.until);
    if (run.recordIdCount !== null) parts.push(run.recordIdCount + ' record ids');
    return parts.join('; ') || 'all records';
  }

  function eta(seconds) {
    if (seconds === null) return '';
    if (seconds < 60) return seconds + 's';
    return Math.floor(seconds / 60) + 'm ' + (seconds % 60) + 's';
  }

  function cell(tr, cls, text) {
    var td = document.createElement('td');
    td.className = cls;
    td.textContent = text === null || text === undefined ? '' : String(text);
    tr.appendChild(td);
    return td;
  }

  function button(td, cls, label, action) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = cls;
    b.textContent = label;
    b.addEventListener('click', function () {
      b.disabled = true;
      action().then(refresh, function (err) {
        say(err.message, true);
        b.disabled = false;
      });
    });
    td.appendChild(b);
  }

  function row(run) {
    var tr = document.createElement('tr');
    tr.dataset.runId = run.id;
    tr.dataset.status = run.status;
    cell(tr, 'started', run.startedAt);
    cell(tr, 'by', run.startedBy);
    cell(tr, 'kind', run.kind + (run.restartOf ? ' (restart)' : ''));
    cell(tr, 'datasheet', run.datasheet);
    cell(tr, 'filter', filterText(run));
    cell(
      tr,
      'status',
      run.status +
        (run.status === 'running' && run.cancelRequested ? ' (cancelling)' : '') +
        (run.paused
          ? ' (paused since ' +
            run.paused.since +
            ': ' +
            run.paused.waitingJobs +
            ' jobs wait for a worker; is one consuming ' +
            run.datasheet +
            '?)'
          : ''),
    );
    cell(tr, 'done', run.done);
    cell(tr, 'total', run.total);
    cell(tr, 'failed', run.failed);
    cell(tr, 'enqueued', run.counts.enqueued);
    cell(tr, 'rate', run.ratePerSecond ? run.ratePerSecond + '/s' : '');
    cell(tr, 'eta', eta(run.etaSeconds));
    cell(
      tr,
      'ended',
      run.finishedAt ? run.finishedAt + (run.cancelledBy ? ' by ' + run.cancelledBy : '') + (run.error ? ': ' + run.error : '') : '',
    );
    var actions = cell(tr, 'actions', '');
    if (operator && run.status === 'running' && !run.cancelRequested)
      button(actions, 'cancel', 'Cancel', function () {
        return post('api/bulk-runs/' + run.id + '/cancel');
      });
    if (operator && run.status !== 'running')
      button(actions, 'restart', run.status === 'completed' ? 'Run again' : 'Restart', function () {
        return post('api/bulk-runs/' + run.id + '/restart');
      });
    return tr;
  }

  function refresh() {
    return fetch('api/bulk-runs', { credentials: 'same-origin' })
      .then(function (res) {
        return res.json();
      })
      .then(function (body) {
        tbody.replaceChildren.apply(tbody, body.runs.map(row));
        refreshed.textContent = body.runs.length ? 'Updated ' + new Date().toLocaleTimeString() : 'No runs yet.';
      })
      .catch(function (err) {
        refreshed.textContent = 'Could not read the runs: ' + err.message;
      });
  }

  var start = document.getElementById('start-run');
  if (start)
    start.addEventListener('click', function () {
      var body = { kind: document.getElementById('kind').value, datasheet: document.getElementById('datasheet').value };
      ['where', 'errorCode', 'since', 'until'].forEach(function (id) {
        var v = document.getElementById(id).value.trim();
        if (v) body[id] = v;
      });
      var ids = document
        .getElementById('recordIds')
        .value.split(/[\s,]+/)
        .filter(Boolean);
      if (ids.length) body.recordIds = ids;
      start.disabled = true;
      post('api/bulk-runs', body).then(
        function (run) {
          say('Started run ' + run.id + '.', false);
          start.disabled = false;
          refresh();
        },
        function (err) {
          say(err.message, true);
          start.disabled = false;
        },
      );
    });

  refresh();
  setInterval(refresh, 1000);
})();

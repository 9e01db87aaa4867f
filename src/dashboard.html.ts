/** The dashboard page: no build step, no framework; it renders each snapshot from `/events`. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>JetStream streams</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1d2330; }
  h1 { font-size: 1.3rem; margin: 0 0 .2rem; }
  #meta { color: #667; margin-bottom: 1rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #e3e6ec; vertical-align: middle; }
  th { font-weight: 600; color: #445; background: #f6f7f9; }
  th.num { text-align: right; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .bar { width: 120px; height: 10px; background: #e9ecf2; border-radius: 5px; overflow: hidden; display: inline-block; vertical-align: middle; }
  .bar > span { display: block; height: 100%; background: #3d7be0; }
  .bar.hot > span { background: #d9822b; }
  .pct { margin-left: .4rem; color: #556; font-size: 12px; }
  .status { font-weight: 600; }
  .up { color: #1a7f37; } .degraded { color: #b26b00; } .down { color: #c62828; }
  .problems { color: #c62828; font-size: 12px; }
  #error { color: #c62828; font-weight: 600; }
</style>
</head>
<body>
<h1>JetStream streams</h1>
<div id="meta">connecting…</div>
<div id="error"></div>
<table>
  <thead><tr>
    <th>Stream</th><th>Status</th><th class="num">Messages</th><th class="num">Bytes</th>
    <th>Messages limit</th><th>Bytes limit</th><th class="num">Consumers</th><th>Replicas</th>
  </tr></thead>
  <tbody id="rows"></tbody>
</table>
<script>
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const bar = (fraction) => {
    if (fraction === undefined) return '<span class="pct">no limit</span>';
    const pct = Math.min(100, Math.round(fraction * 100));
    return '<span class="bar' + (fraction >= 0.9 ? ' hot' : '') + '"><span style="width:' + pct + '%"></span></span><span class="pct">' + pct + '%</span>';
  };
  const replicas = (s) => !s.cluster ? '–' :
    'leader ' + esc(s.cluster.leader || 'none') + (s.cluster.replicas.length ? '; ' + s.cluster.replicas.map((r) => esc(r.name) + ' ' + esc(r.state)).join(', ') : '');
  function render(snapshot) {
    document.getElementById('meta').textContent = 'updated ' + new Date(snapshot.at).toLocaleTimeString() + (snapshot.healthy ? ' · all healthy' : ' · attention needed');
    document.getElementById('error').textContent = snapshot.error ? 'Cannot read streams: ' + snapshot.error : '';
    const rows = Object.values(snapshot.streams).sort((a, b) => a.name.localeCompare(b.name)).map((s) =>
      '<tr data-stream="' + esc(s.name) + '">' +
      '<td>' + esc(s.name) + '</td>' +
      '<td><span class="status ' + esc(s.status) + '">' + esc(s.status) + '</span>' +
        (s.problems.length ? '<div class="problems">' + s.problems.map(esc).join('<br>') + '</div>' : '') + '</td>' +
      '<td class="num messages">' + s.messages.toLocaleString() + '</td>' +
      '<td class="num">' + s.bytes.toLocaleString() + '</td>' +
      '<td>' + bar(s.usage.messages) + '</td>' +
      '<td>' + bar(s.usage.bytes) + '</td>' +
      '<td class="num">' + s.consumer_count + '</td>' +
      '<td>' + replicas(s) + '</td></tr>');
    document.getElementById('rows').innerHTML = rows.join('');
  }
  const events = new EventSource('/events');
  events.onmessage = (e) => render(JSON.parse(e.data));
  events.onerror = () => { document.getElementById('meta').textContent = 'disconnected from the app; retrying…'; };
</script>
</body>
</html>
`;

// Appended to a copy of an `xddp report` page by render_report.sh and run by headless Chromium after the
// page has laid out: checks that every figure is drawn and nothing overflows, and writes the verdict into
// a pre element (id xddp-check) for --dump-dom: one line per problem, "ok N figures" when there is none.
(function () {
  const problems = [];
  const main = document.querySelector('main');
  const page = main.getBoundingClientRect();
  const figures = document.querySelectorAll('figure');
  if (figures.length === 0) problems.push('no figure in the page');
  figures.forEach((fig, k) => {
    const svg = fig.querySelector('svg');
    const name = 'figure ' + (k + 1) + ' (' + (fig.querySelector('figcaption') || {}).textContent + ')';
    if (!svg) { problems.push(name + ': no SVG'); return; }
    const box = svg.getBoundingClientRect();
    if (box.width < 100 || box.height < 60) problems.push(name + ': drawn at ' + box.width + 'x' + box.height + ' px');
    if (box.left < page.left - 1 || box.right > page.right + 1)
      problems.push(name + ': overflows the page column (' + box.left + '..' + box.right + ' of ' + page.left + '..' + page.right + ')');
    // Not blank: shapes with an area or a length, in a colour other than white.
    let drawn = 0;
    svg.querySelectorAll('rect, line, polyline, circle, path').forEach((e) => {
      const b = e.getBBox();
      const fill = getComputedStyle(e).fill, stroke = getComputedStyle(e).stroke;
      const coloured = (fill !== 'none' && fill !== 'rgb(255, 255, 255)') || (stroke !== 'none' && stroke !== 'rgb(255, 255, 255)');
      if (coloured && (b.width > 0 || b.height > 0)) drawn++;
    });
    if (drawn < 5) problems.push(name + ': only ' + drawn + ' coloured shapes drawn');
    // Every label inside the figure's own area (a clipped axis label or legend entry is a layout bug).
    let texts = 0;
    svg.querySelectorAll('text').forEach((t) => {
      texts++;
      const r = t.getBoundingClientRect();
      if (r.width === 0) return;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        problems.push(name + ': label "' + t.textContent.slice(0, 40) + '" lies outside the figure');
    });
    if (texts === 0) problems.push(name + ': no text (title, axes or labels)');
  });
  document.querySelectorAll('.table').forEach((t, k) => {
    if (t.getBoundingClientRect().right > page.right + 1) problems.push('table ' + (k + 1) + ' overflows the page column');
  });
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' px wide in a ' + window.innerWidth + ' px window');
  const out = document.createElement('pre');
  out.id = 'xddp' + '-check';  // spelled apart: the verdict's id must not appear in this script's own text
  out.textContent = 'height ' + document.documentElement.scrollHeight + '\n' +
    (problems.length ? problems.join('\n') : 'ok ' + figures.length + ' figures');
  document.body.appendChild(out);
})();

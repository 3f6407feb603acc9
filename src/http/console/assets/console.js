// The console's keyboard shortcuts (listed on /help). Everything works without this file: it only moves
// focus and presses the buttons that are already on the page.
//   j / k  next / previous case in the queue     t  take (the focused case, or the next one)
//   r      reply (on a case: the reply box)        s  resolve (on a case: the resolve box)
//   ?      the list of shortcuts
(() => {
  const typing = (el) =>
    el instanceof HTMLElement &&
    (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

  const rows = () => [...document.querySelectorAll('tr[data-row]')];
  const currentRow = () => document.activeElement?.closest?.('tr[data-row]') ?? null;

  function move(step) {
    const all = rows();
    if (all.length === 0) return;
    const at = all.indexOf(currentRow());
    const next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    all[next]?.querySelector('a.case-link')?.focus();
  }

  function focusBox(id) {
    const box = document.getElementById(id);
    if (box) {
      box.focus();
      return true;
    }
    return false;
  }

  /** On a case, the box named by the address's #hash (the queue's r and s lead there). */
  function focusFromHash() {
    const id = { '#reply': 'reply-text', '#resolve': 'resolve-text' }[location.hash];
    if (id) focusBox(id);
  }

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    const row = currentRow();
    const caseLink = row?.querySelector('a.case-link');
    switch (e.key) {
      case 'j':
        move(1);
        break;
      case 'k':
        move(-1);
        break;
      case 't': {
        const button =
          row?.querySelector('button[data-take]') ??
          document.getElementById('take') ??
          document.getElementById('take-next');
        if (!button) return;
        button.click();
        break;
      }
      case 'r':
      case 's': {
        const box = e.key === 'r' ? 'reply-text' : 'resolve-text';
        if (focusBox(box)) break;
        if (!caseLink) return;
        location.href = `${caseLink.getAttribute('href')}#${e.key === 'r' ? 'reply' : 'resolve'}`;
        break;
      }
      case '?':
        location.href = '/help';
        break;
      default:
        return;
    }
    e.preventDefault();
  });

  // The slip's print button: shown only where it works (here), the page prints without it too (Ctrl+P).
  const showPrint = () => {
    for (const b of document.querySelectorAll('button[data-print]')) b.hidden = false;
  };
  document.addEventListener('click', (e) => {
    if (e.target instanceof Element && e.target.closest('button[data-print]')) window.print();
  });

  document.addEventListener('DOMContentLoaded', focusFromHash);
  document.addEventListener('htmx:afterSettle', focusFromHash);
  document.addEventListener('DOMContentLoaded', showPrint);
  document.addEventListener('htmx:afterSettle', showPrint);
})();

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBits, formatCount, formatMs, formatPercent, formatRatio, formatTemperature, parsePercent, percentResolution } from '../../webview-ui/view/format';

describe('formatPercent', () => {
  test('three significant digits across magnitudes', () => {
    assert.equal(formatPercent(0.4523), '45.2%');
    assert.equal(formatPercent(0.034712), '3.47%');
    assert.equal(formatPercent(0.00123456), '0.123%');
    assert.equal(formatPercent(0.0000123456), '0.00123%');
    assert.equal(formatPercent(0.5), '50.0%');
  });

  test('edges: certain, near-certain, zero, tiny, non-finite', () => {
    assert.equal(formatPercent(1), '100%');
    assert.equal(formatPercent(0.9996), '99.9%', 'never rounds up to a misleading 100.0%');
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(1e-9), '< 0.0001%');
    assert.equal(formatPercent(Number.NaN), '0%');
  });

  test('parsePercent inverts formatPercent within its resolution', () => {
    for (const p of [0.9, 0.4523, 0.031, 0.00271, 0.000042]) {
      const shown = parsePercent(formatPercent(p));
      assert.ok(Math.abs(shown - p) <= percentResolution(p) + 1e-15, `${p} shown as ${formatPercent(p)}`);
    }
    assert.ok(Number.isNaN(parsePercent('< 0.0001%')));
  });
});

describe('other formats', () => {
  test('bits, counts, ratios, temperatures', () => {
    assert.equal(formatBits(2.3456), '2.35 bits');
    assert.equal(formatCount(1234567), '1,234,567');
    assert.equal(formatRatio(10, 4), '2.50');
    assert.equal(formatRatio(10, 0), '—');
    assert.equal(formatTemperature(0.1), '0.10');
  });

  test('milliseconds switch to seconds at 1000', () => {
    assert.equal(formatMs(0.2), '< 1 ms');
    assert.equal(formatMs(84.4), '84 ms');
    assert.equal(formatMs(1234), '1.23 s');
  });
});

// The step 5 sentence about the residual stream's length: it states what the numbers do (where
// they grow, shrink and peak), never a rule, in English and Chinese. The browser test checks the
// same sentence against the engine's hidden states; here the edge cases.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeNorms, normTrend } from '../../webview-ui/view/norm-trend';
import { sentences } from '../../webview-ui/view/format';
import { english, translator } from '../../webview-ui/i18n';
import { zhCn } from '../../webview-ui/i18n/zh-cn';

const chinese = translator(zhCn);

describe('normTrend and describeNorms', () => {
  test('growth and shrinkage per layer, consecutive layers as a range, the longest place', () => {
    const norms = [0.8, 10.57, 13.44, 16.78, 17.88, 16.58, 20.75];
    assert.deepEqual(normTrend(norms), { grows: [1, 2, 3, 4, 6], shrinks: [5], longest: 6 });
    assert.equal(
      describeNorms(english, '·list', norms),
      'The residual stream’s length for “·list” after the embedding and after each layer: 0.80 → 10.57 → 13.44 → 16.78 → 17.88 → 16.58 → 20.75. It grows after layers 1–4 and 6. It shrinks after layer 5. It is longest after layer 6.',
    );
    assert.equal(
      describeNorms(chinese, '·list', norms),
      '“·list”在嵌入之后和每一层之后的残差流长度：0.80 → 10.57 → 13.44 → 16.78 → 17.88 → 16.58 → 20.75。经过第 1–4、6 层之后变长。经过第 5 层之后变短。第 6 层之后最长。',
    );
  });

  test('every layer alike, several separate layers, longest at the embedding', () => {
    assert.match(describeNorms(english, 'x', [1, 2, 3]), /It grows after every layer\. It is longest after layer 2\.$/);
    assert.match(describeNorms(english, 'x', [9, 2, 3, 1, 4, 0.5]), /It grows after layers 2 and 4\. It shrinks after layers 1, 3 and 5\. It is longest after the embedding\.$/);
    assert.match(describeNorms(chinese, 'x', [9, 2, 3, 1, 4, 0.5]), /经过第 2、4 层之后变长。经过第 1、3、5 层之后变短。嵌入之后最长。$/);
    assert.doesNotMatch(describeNorms(english, 'x', [3, 2, 1]), /grows/);
  });

  test('sentences: a space after an English full stop, none after a Chinese one, empty parts dropped', () => {
    assert.equal(sentences(['One.', '', 'Two.']), 'One. Two.');
    assert.equal(sentences(['一。', '二。']), '一。二。');
  });
});

// The checker's TLB semantics, one litmus test per rule (and the ten ESOP
// shapes), each with the verdict the model must give. Files: test/litmus/.

import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { checkFile } from '../src/litmus/check.js';
import { observation } from '../src/litmus/report.js';

const file = (f: string): string => fileURLToPath(new URL(`./litmus/${f}.litmus.toml`, import.meta.url));

// name -> [expected observation, why]
const EXPECTED: Record<string, ['Never' | 'Sometimes', string]> = {
  'esop-bbm': ['Sometimes', 'an unsynchronised reader may still see the old page after BBM'],
  'esop-mp-rt-tlbiis-dsb-isb': ['Never', 'TLBI IS completed by DSB, reader synchronised with DSB;ISB'],
  'esop-mp-rt-tlbiis-dmb': ['Sometimes', 'DMB does not order the reader\'s translation'],
  'esop-mp-rt-tlbi-local': ['Sometimes', 'a local TLBI does not reach other PEs'],
  'esop-mp-bbm1': ['Never', 'after a complete BBM a synchronised reader uses the new page'],
  'esop-cowinvt-tlbiis-dsb': ['Never', 'ETS: DSB completing the PE\'s own TLBI orders its later translations (isla ESOP 2022 said allowed; see README)'],
  'esop-cowinvt-tlbiis-dsb-isb': ['Never', 'same PE, TLBI IS + DSB + ISB'],
  'esop-mp-rt-shootdown': ['Never', 'IPI-style shootdown with a local TLBI in the handler'],
  'esop-cowinvt-tlbi-dsb-isb': ['Never', 'a local TLBI suffices for the issuing PE'],
  'esop-mp-ttf-inv-dsb-isb': ['Never', 'invalid->valid: a synchronised reader cannot fault'],
  'rule-tlbiis-needs-dsb': ['Sometimes', 'a broadcast TLBI takes effect on other PEs only at the issuer\'s DSB'],
  'rule-dmb-is-not-dsb': ['Sometimes', 'DMB does not wait for TLBI completion'],
  'rule-same-pe-map-dsb': ['Sometimes', 'invalid->valid on the same PE: may fault until ISB'],
  'rule-same-pe-map-dsb-isb': ['Never', 'ISB: the PE\'s translations see its completed writes'],
  'rule-other-pe-map-po': ['Sometimes', 'invalid->valid on another PE: may fault until that PE synchronises'],
  'rule-tlb-keeps-valid-entry': ['Sometimes', 'a TLB fills from valid entries and keeps them until a TLBI'],
  'rule-invalid-not-cached': ['Never', 'invalid entries are never cached'],
  'rule-data-mp-dmbs': ['Never', 'DMB orders data accesses'],
  'rule-data-mp-po': ['Sometimes', 'data accesses without barriers may be reordered'],
};

describe('litmus semantics: each rule and the ESOP shapes give their expected verdict', () => {
  for (const [name, [want, why]] of Object.entries(EXPECTED)) {
    it(`${name}: ${want} (${why})`, () => {
      const c = checkFile(file(name), () => 0);
      if (c.kind !== 'ok') throw new Error(`${name}: ${c.kind === 'unsupported' ? c.feature : c.message}`);
      expect(observation(c.result)).toBe(want);
      // every outcome was reached by at least one execution; the count is exact
      expect(c.result.executions).toBe(c.result.outcomes.reduce((a, o) => a + o.count, 0n));
      expect(c.result.executions).toBeGreaterThan(0n);
    });
  }
});

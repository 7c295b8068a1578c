import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NvrRun } from '../api/nvr';
import { createAppI18n } from '../i18n';
import { useAuthStore } from '../stores/auth';
import { useNvrStore } from '../stores/nvr';
import { sessionAs } from '../test/stock-fixtures';
import NvrExportsView from './NvrExportsView.vue';

vi.mock('../realtime/socket', () => ({
  followNvrExports: vi.fn(),
  unfollowNvrExports: vi.fn(),
}));
vi.mock('../api/nvr', () => ({
  nvrApi: { list: vi.fn(), get: vi.fn(), start: vi.fn(), link: vi.fn() },
}));

import { nvrApi } from '../api/nvr';
import { followNvrExports } from '../realtime/socket';

function run(over: Partial<NvrRun> = {}): NvrRun {
  return {
    id: 'run-1',
    regionId: 'r',
    status: 'COMPLETED',
    trigger: 'schedule',
    requestedBy: null,
    jobId: 'nvr-export-run-1',
    attempts: 1,
    windowFrom: null,
    windowTo: '2026-11-22T02:00:05+01:00',
    createdAt: '2026-11-22T02:00:00+01:00',
    startedAt: '2026-11-22T02:00:01+01:00',
    finishedAt: '2026-11-22T02:00:09+01:00',
    doseCount: 1200,
    recordCount: 1203,
    correctionCount: 3,
    errorCount: 2,
    progressDone: 1200,
    progressTotal: 1200,
    files: [
      {
        name: 'nvr.ndjson',
        kind: 'fhir-ndjson',
        bytes: 900_000,
        sha256: 'ab'.repeat(32),
        records: 1203,
        downloadable: false,
      },
      {
        name: 'nvr-kontrollrapport.csv',
        kind: 'control-report',
        bytes: 400,
        sha256: 'cd'.repeat(32),
        records: 2,
        downloadable: true,
      },
    ],
    failures: [],
    ...over,
  };
}

async function mountView(runs: NvrRun[]) {
  const pinia = createPinia();
  setActivePinia(pinia);
  useAuthStore().session = sessionAs('SMITTSKYDD', {
    unitId: 'u-sm',
    unitName: 'Regionalt smittskydd',
    regionId: 'r',
  });
  vi.mocked(nvrApi.list).mockResolvedValue({ regionId: 'r', runs });
  const wrapper = mount(NvrExportsView, {
    global: { plugins: [pinia, createAppI18n('sv')] },
    attachTo: document.body,
  });
  await flushPromises();
  return { wrapper, store: useNvrStore() };
}

describe('NVR export page (R28)', () => {
  beforeEach(() => vi.clearAllMocks());
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('says so when there are no runs yet', async () => {
    const { wrapper } = await mountView([]);
    expect(followNvrExports).toHaveBeenCalledWith('r');
    expect(wrapper.get('[data-testid="nvr-empty"]').text()).toContain('Inga exporter ännu');
  });

  it('lists runs with counts and status in words; a running one moves with the live topic', async () => {
    const { wrapper, store } = await mountView([
      run({
        id: 'run-2',
        status: 'RUNNING',
        trigger: 'manual',
        doseCount: 0,
        recordCount: 0,
        correctionCount: 0,
        errorCount: 0,
        progressDone: 0,
        progressTotal: 0,
        files: [],
      }),
      run(),
    ]);
    const done = wrapper.get('[data-testid="nvr-run-run-1"]').text();
    expect(done).toContain('Nattlig');
    expect(done).toContain('Klar');
    expect(done).toMatch(/1\s?200/);
    expect(wrapper.get('[data-testid="nvr-run-run-2"]').text()).toContain('Pågår');

    store.receiveSnapshot(7, {
      regionId: 'r',
      jobs: [{ exportId: 'run-2', jobId: 'j2', state: 'active', progress: { done: 500, total: 2000 } }],
    });
    await flushPromises();
    expect(wrapper.get('[data-testid="nvr-run-run-2"]').text()).toMatch(/500 av 2\s?000 doser \(25 %\)/);
    store.receiveProgress({
      topic: 'jobs',
      regionId: 'r',
      version: 8,
      jobId: 'j2',
      exportId: 'run-2',
      queue: 'nvr',
      name: 'nvr.export',
      state: 'active',
      progress: { done: 1500, total: 2000 },
      at: '2026-11-22T10:00:00+01:00',
    });
    await flushPromises();
    expect(wrapper.get('[data-testid="nvr-progress-run-2"]').attributes('value')).toBe('1500');
  });

  it('a finished run shows its files, which ones this role may download, and the doses not sent', async () => {
    const { wrapper } = await mountView([run()]);
    vi.mocked(nvrApi.get).mockResolvedValue({
      ...run(),
      errors: [
        {
          vaccinationId: 'v-1',
          revision: 1,
          code: 'MISSING_BATCH',
          field: 'batch',
          message: 'the dose has no batch number',
          identityNumber: '19800101-****',
          givenOn: '2026-11-21',
          unitName: 'Vårdcentralen Nässjö',
          unitHsaId: 'SE2321000057-1003',
        },
      ],
    });
    await wrapper.get('[data-testid="nvr-open-run-1"]').trigger('click');
    await flushPromises();
    const detail = wrapper.get('[data-testid="nvr-detail"]').text();
    expect(detail).toContain('Innehåller personnummer');
    expect(wrapper.find('[data-testid="nvr-download-fhir-ndjson"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="nvr-download-control-report"]').exists()).toBe(true);
    const errors = wrapper.get('[data-testid="nvr-errors"]').text();
    expect(errors).toContain('Batchnummer saknas');
    expect(errors).toContain('19800101-****');
  });

  it('starting while one runs says so instead of starting a second', async () => {
    const { wrapper } = await mountView([run()]);
    vi.mocked(nvrApi.start).mockResolvedValue({
      jobId: 'j',
      exportId: 'run-1',
      status: 'RUNNING',
      alreadyRunning: true,
    });
    await wrapper.get('[data-testid="nvr-start"]').trigger('click');
    await flushPromises();
    expect(nvrApi.start).toHaveBeenCalledWith('r');
    expect(wrapper.get('[data-testid="nvr-start-message"]').text()).toContain('pågår redan');
  });
});

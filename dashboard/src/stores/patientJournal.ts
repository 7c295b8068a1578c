import { defineStore } from 'pinia';
import { ref } from 'vue';
import { isApiError } from '../api/http';
import { journalApi, type Journal } from '../api/journal';

/** The patient open in the vaccinator's patient view ("visa kund"): one at a time. */
export const usePatientJournalStore = defineStore('patientJournal', () => {
  const journal = ref<Journal | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const notFound = ref(false);
  /** the number as searched (a reserve number stays as written) */
  const searched = ref<string | null>(null);

  async function open(pnr: string): Promise<void> {
    loading.value = true;
    error.value = null;
    notFound.value = false;
    searched.value = pnr;
    try {
      journal.value = await journalApi.journal(pnr);
    } catch (e) {
      journal.value = null;
      if (isApiError(e, 404)) notFound.value = true;
      else error.value = e instanceof Error ? e.message : String(e);
    } finally {
      loading.value = false;
    }
  }

  /** After a change: read again (the read is audited like any other). */
  async function reload(): Promise<void> {
    const pnr = journal.value?.patient.personalIdentityNumber ?? searched.value;
    if (pnr) await open(pnr);
  }

  function close(): void {
    journal.value = null;
    searched.value = null;
    error.value = null;
    notFound.value = false;
  }

  function $reset(): void {
    close();
    loading.value = false;
  }

  return { journal, loading, error, notFound, searched, open, reload, close, $reset };
});

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { citizenApi, type CitizenVaccinations } from '../api/journal';

/** "Mina vaccinationer": the citizen's own session (shared with /boka: same storage key), separate from staff sessions. */
const STORAGE_KEY = 'vaxops.citizen';

export const useCitizenVaccinationsStore = defineStore('citizenVaccinations', () => {
  const token = ref<string | null>(read());
  const data = ref<CitizenVaccinations | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);

  async function login(personalIdentityNumber: string): Promise<void> {
    error.value = null;
    try {
      const res = await citizenApi.devLogin(personalIdentityNumber);
      token.value = res.accessToken;
      write(res.accessToken);
      await load();
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    }
  }

  async function load(): Promise<void> {
    if (!token.value) return;
    loading.value = true;
    error.value = null;
    try {
      data.value = await citizenApi.vaccinations(token.value);
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      loading.value = false;
    }
  }

  function logout(): void {
    token.value = null;
    data.value = null;
    write(null);
  }

  function $reset(): void {
    logout();
    loading.value = false;
    error.value = null;
  }

  return { token, data, loading, error, login, load, logout, $reset };
});

function read(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
function write(v: string | null): void {
  try {
    if (v) sessionStorage.setItem(STORAGE_KEY, v);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    /* private mode */
  }
}

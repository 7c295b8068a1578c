import { createPinia } from 'pinia';
import { createApp, watch } from 'vue';
import App from './App.vue';
import { configureHttp } from './api/http';
import { createAppI18n, rememberLocale, type AppLocale } from './i18n';
import { startRealtime } from './realtime/socket';
import { createAppRouter } from './router';
import { useAuthStore } from './stores/auth';
import './styles.css';

const app = createApp(App);
const pinia = createPinia();
const i18n = createAppI18n();
app.use(pinia);
app.use(i18n);

const auth = useAuthStore();
configureHttp({
  getToken: () => auth.token,
  // An expired token on any request ends the session; App.vue then shows the login page.
  onUnauthorized: () => {
    if (auth.isLoggedIn) auth.logout('expired');
  },
  getLanguage: () => i18n.global.locale.value,
});

watch(i18n.global.locale, (l) => rememberLocale(l as AppLocale), { immediate: true });

// Connect before the router resolves the first view: the socket handshake runs while the
// view's chunk loads, which is most of the time to live data.
startRealtime();

app.use(createAppRouter());
app.mount('#app');

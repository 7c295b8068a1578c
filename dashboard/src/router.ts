import { createRouter, createWebHistory, type Router } from 'vue-router';
import { mayEnter, type Area } from './lib/roles';
import { useAuthStore } from './stores/auth';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean;
    /** Only for roles that may enter this part of the app (see lib/roles.ts). */
    area?: Area;
  }
}

/**
 * Where a logged-in user belongs: regional smittskydd on the stock overview, stock managers on
 * their unit's stock, unit staff in the timebook, everyone else on the role page.
 */
export function homeFor(role: string | null | undefined): {
  name: 'stockOverview' | 'stock' | 'timebook' | 'start';
} {
  if (role === 'SMITTSKYDD') return { name: 'stockOverview' };
  if (role === 'STOCK_MANAGER') return { name: 'stock' };
  if (mayEnter('timebook', role)) return { name: 'timebook' };
  return { name: 'start' };
}

function currentRole(): string | null {
  return useAuthStore().activeAssignment?.role ?? null;
}

export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      {
        path: '/login',
        name: 'login',
        component: () => import('./views/LoginView.vue'),
        meta: { public: true },
      },
      {
        // Citizen web booking: its own session (BankID stand-in), not a staff login.
        path: '/boka',
        name: 'book',
        component: () => import('./views/BookView.vue'),
        meta: { public: true },
      },
      {
        path: '/tidbok',
        name: 'timebook',
        component: () => import('./views/TimebookView.vue'),
        meta: { area: 'timebook' },
      },
      {
        // Opened a few times a week by a few people: its code is not in the timebook's chunk.
        path: '/tidbok/admin',
        name: 'timebookAdmin',
        component: () => import('./views/TimebookAdminView.vue'),
        meta: { area: 'timebookAdmin' },
      },
      {
        path: '/saldo',
        name: 'stock',
        component: () => import('./views/StockView.vue'),
        meta: { area: 'stock' },
        // Smittskydd has no stock of its own: /saldo means a unit picked in the overview.
        beforeEnter: (to) =>
          currentRole() === 'SMITTSKYDD' && typeof to.query.unit !== 'string'
            ? { name: 'stockOverview' }
            : true,
      },
      {
        path: '/saldo/oversikt',
        name: 'stockOverview',
        component: () => import('./views/StockOverviewView.vue'),
        meta: { area: 'stockOverview' },
      },
      {
        path: '/nvr',
        name: 'nvrExports',
        component: () => import('./views/NvrExportsView.vue'),
        meta: { area: 'nvr' },
      },
      {
        path: '/patient',
        name: 'patient',
        component: () => import('./views/PatientView.vue'),
        meta: { area: 'journal' },
      },
      {
        path: '/kontrollrapport',
        name: 'controlReport',
        component: () => import('./views/ControlReportView.vue'),
        meta: { area: 'controlReport' },
      },
      {
        // The citizen's own page: a citizen session of its own, not a staff login.
        path: '/mina-vaccinationer',
        name: 'citizenVaccinations',
        component: () => import('./views/CitizenVaccinationsView.vue'),
        meta: { public: true },
      },
      {
        path: '/tackning',
        name: 'coverage',
        component: () => import('./views/CoverageView.vue'),
        meta: { area: 'coverage' },
      },
      {
        path: '/sms',
        name: 'sms',
        component: () => import('./views/SmsView.vue'),
        meta: { area: 'sms' },
      },
      {
        // dev/demo: the local SMS sink's messages (the API answers 404 elsewhere)
        path: '/sms/fangare',
        name: 'smsSink',
        component: () => import('./views/SmsSinkView.vue'),
      },
      {
        path: '/start',
        name: 'start',
        component: () => import('./views/RoleLandingView.vue'),
        // '/' resolves its redirect before login (to 'start'); once logged in, a role with a
        // page of its own belongs there.
        beforeEnter: () => {
          const home = homeFor(currentRole());
          return home.name === 'start' ? true : home;
        },
      },
      { path: '/', name: 'home', redirect: () => homeFor(currentRole()) },
      { path: '/:pathMatch(.*)*', redirect: { name: 'home' } },
    ],
  });

  router.beforeEach((to) => {
    const auth = useAuthStore();
    if (to.meta.public) return to.name === 'login' && auth.isLoggedIn ? homeFor(currentRole()) : true;
    if (!auth.isLoggedIn) {
      return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
    }
    if (to.meta.area && !mayEnter(to.meta.area, currentRole())) return homeFor(currentRole());
    return true;
  });

  return router;
}

import { createRouter, createWebHistory, type RouteLocationRaw, type Router } from 'vue-router';
import { useAuthStore } from './stores/auth';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean;
    /** Only for roles with the timebook (unit staff). */
    timebook?: boolean;
  }
}

/** Where a logged-in user belongs: the timebook for unit staff, the role page otherwise. */
export function homeFor(canUseTimebook: boolean): RouteLocationRaw {
  return canUseTimebook ? { name: 'timebook' } : { name: 'start' };
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
        path: '/tidbok',
        name: 'timebook',
        component: () => import('./views/TimebookView.vue'),
        meta: { timebook: true },
      },
      {
        path: '/start',
        name: 'start',
        component: () => import('./views/RoleLandingView.vue'),
        // '/' resolves its redirect before login (to 'start'); once logged in, unit staff belong in the timebook.
        beforeEnter: () => (useAuthStore().canUseTimebook ? { name: 'timebook' } : true),
      },
      { path: '/', name: 'home', redirect: () => homeFor(useAuthStore().canUseTimebook) },
      { path: '/:pathMatch(.*)*', redirect: { name: 'home' } },
    ],
  });

  router.beforeEach((to) => {
    const auth = useAuthStore();
    if (to.meta.public) return to.name === 'login' && auth.isLoggedIn ? homeFor(auth.canUseTimebook) : true;
    if (!auth.isLoggedIn) {
      return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
    }
    if (to.meta.timebook && !auth.canUseTimebook) return { name: 'start' };
    return true;
  });

  return router;
}

/// <reference types="vite/client" />
declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

import type { vCan } from './directives/can'
import type { Role } from './api/types'
declare module 'vue' {
  interface GlobalDirectives {
    vCan: typeof vCan
  }
}
declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in (sign-in page, invitation links). */
    public?: boolean
    /** The least role that may open the page. */
    role?: Role
  }
}

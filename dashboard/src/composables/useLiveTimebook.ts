import { onBeforeUnmount, watch, type Ref } from 'vue';
import { followTimebook, unfollowTimebook } from '../realtime/socket';

/**
 * Keeps the realtime subscription in step with what the view shows: follow (unit, date) while
 * mounted, switch when either changes, let go when the view goes away. The socket module owns
 * the listeners; this only says what we want to see.
 */
export function useLiveTimebook(unitId: Ref<string | null>, date: Ref<string>): void {
  watch(
    [unitId, date],
    ([unit, day]) => {
      if (unit) followTimebook(unit, day);
      else unfollowTimebook();
    },
    { immediate: true },
  );
  onBeforeUnmount(unfollowTimebook);
}

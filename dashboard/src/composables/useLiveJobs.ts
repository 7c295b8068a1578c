import { onBeforeUnmount, watch, type Ref } from 'vue';
import { followJobs, unfollowJobs } from '../realtime/socket';

/** Keeps the unit's `jobs` subscription in step with the view (see useLiveTimebook). */
export function useLiveJobs(unitId: Ref<string | null>): void {
  watch(
    unitId,
    (unit) => {
      if (unit) followJobs(unit);
      else unfollowJobs();
    },
    { immediate: true },
  );
  onBeforeUnmount(unfollowJobs);
}

import { onBeforeUnmount, watch, type Ref } from 'vue';
import { followStock, followStockOverview, unfollowStock, unfollowStockOverview } from '../realtime/socket';

/** Keeps the stock subscription in step with the unit the view shows (see useLiveTimebook). */
export function useLiveStock(unitId: Ref<string | null>): void {
  watch(
    unitId,
    (unit) => {
      if (unit) followStock(unit);
      else unfollowStock();
    },
    { immediate: true },
  );
  onBeforeUnmount(unfollowStock);
}

/** The same for the region's stock overview. */
export function useLiveStockOverview(regionId: Ref<string | null>): void {
  watch(
    regionId,
    (region) => {
      if (region) followStockOverview(region);
      else unfollowStockOverview();
    },
    { immediate: true },
  );
  onBeforeUnmount(unfollowStockOverview);
}

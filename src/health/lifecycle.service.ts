import { Injectable } from '@nestjs/common';

export type LifecyclePhase = 'starting' | 'running' | 'draining';

/** Where the process is in its life: readiness turns 503 once draining starts (SIGTERM). */
@Injectable()
export class LifecycleService {
  private phaseValue: LifecyclePhase = 'starting';

  get phase(): LifecyclePhase {
    return this.phaseValue;
  }

  markRunning(): void {
    if (this.phaseValue === 'starting') this.phaseValue = 'running';
  }

  startDraining(): void {
    this.phaseValue = 'draining';
  }
}

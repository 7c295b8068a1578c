import { SetMetadata } from '@nestjs/common';
import { JobName } from './job-map';

export const JOB_HANDLER = Symbol('JOB_HANDLER');

/** Marks a provider method as the handler of a job; the worker host finds it at start. */
export const JobHandler = (name: JobName): MethodDecorator => SetMetadata(JOB_HANDLER, name);

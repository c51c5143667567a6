'use client';

import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../server/router';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type StudyListItem = RouterOutputs['studies']['list']['items'][number];
export type StudyDetailOut = RouterOutputs['studies']['get'];
export type TrialRowOut = RouterOutputs['trials']['list']['items'][number];
export type ScheduleRowOut = RouterOutputs['schedules']['list'][number];
export type TrialBlocksOut = RouterOutputs['trials']['blocks'];
export type SurrogateOut = RouterOutputs['studies']['surrogate'];
export type ParallelOut = RouterOutputs['studies']['parallel'];
export type TrialPageOut = RouterOutputs['trials']['list'];
export type StudySnapshotOut = RouterOutputs['studies']['snapshot'];
export type PointsOut = RouterOutputs['studies']['points'];

// Short names for the generated API types. Never hand-write request or response shapes.
import type { components, operations } from './schema'

type Schemas = components['schemas']

export type Contact = Schemas['Contact']
export type ContactPage = Schemas['ContactPage']
export type CreateContact = Schemas['CreateContact']
export type UpdateContact = Schemas['UpdateContact']
export type Lifecycle = Schemas['Lifecycle']
export type ContactSource = Schemas['ContactSource']
export type RelationshipType = Schemas['RelationshipType']
export type TagCount = Schemas['TagCount']
export type Problem = Schemas['Problem']
export type ListContactsQuery = NonNullable<operations['list_contacts']['parameters']['query']>
export type Company = Schemas['Company']
export type CompanyPage = Schemas['CompanyPage']
export type CreateCompany = Schemas['CreateCompany']
export type UpdateCompany = Schemas['UpdateCompany']
export type ListCompaniesQuery = NonNullable<operations['list_companies']['parameters']['query']>
export type Interaction = Schemas['Interaction']
export type InteractionPage = Schemas['InteractionPage']
export type CreateInteraction = Schemas['CreateInteraction']
export type InteractionKind = Schemas['InteractionKind']
export type Outcome = Schemas['Outcome']
export type FollowUp = Schemas['FollowUp']
export type FollowUpPage = Schemas['FollowUpPage']
export type FollowUpCounts = Schemas['FollowUpCounts']
export type Settings = Schemas['Settings']
export type UpdateSettings = Schemas['UpdateSettings']
export type Reminder = Schemas['Reminder']
export type ReminderPage = Schemas['ReminderPage']

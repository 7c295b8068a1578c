import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/http';
import { patientsApi, type PatientView } from '../api/patients';
import { createAppI18n } from '../i18n';
import AddPatientForm from './AddPatientForm.vue';

const patient: PatientView = {
  id: 'p1',
  personalIdentityNumber: '999104020100',
  identityType: 'RESERVNUMMER',
  firstName: 'Nour',
  lastName: 'Haddad',
  birthDate: '1991-04-02',
  protectedIdentity: false,
  phone: null,
};

function mountForm() {
  return mount(AddPatientForm, { global: { plugins: [createAppI18n('sv')] } });
}

afterEach(() => vi.restoreAllMocks());

describe('AddPatientForm (R3, R4)', () => {
  it('reserves a reserve number from the birth date and emits the new patient', async () => {
    const create = vi.spyOn(patientsApi, 'create').mockResolvedValue(patient);
    const w = mountForm();
    await w.get('[data-testid="add-patient-reserve"]').setValue(true);
    await w.get('[data-testid="add-patient-save"]').trigger('submit');
    // the birth date and names are required before anything is sent
    expect(create).not.toHaveBeenCalled();
    expect(w.text()).toContain('Fyll i fältet.');
    await w.get('[data-testid="add-patient-birth"]').setValue('1991-04-02');
    await w.get('[data-testid="add-patient-first"]').setValue('Nour');
    await w.get('[data-testid="add-patient-last"]').setValue('Haddad');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(create).toHaveBeenCalledWith({
      reserveNumber: true,
      birthDate: '1991-04-02',
      firstName: 'Nour',
      lastName: 'Haddad',
      protectedIdentity: false,
    });
    expect(w.emitted('added')?.[0]).toEqual([patient]);
  });

  it('protected identity: the phone field disappears and no contact detail is sent', async () => {
    const create = vi.spyOn(patientsApi, 'create').mockResolvedValue({ ...patient, protectedIdentity: true });
    const w = mountForm();
    await w.get('#add-pnr').setValue('19121212-1212');
    await w.get('#add-phone').setValue('0701234567');
    await w.get('[data-testid="add-patient-protected"]').setValue(true);
    expect(w.find('#add-phone').exists()).toBe(false);
    await w.get('[data-testid="add-patient-first"]').setValue('A');
    await w.get('[data-testid="add-patient-last"]').setValue('B');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(create.mock.calls[0]![0]).not.toHaveProperty('phone');
    expect(create.mock.calls[0]![0]).toMatchObject({
      protectedIdentity: true,
      personalIdentityNumber: '19121212-1212',
    });
  });

  it('a known number offers the existing patient; a server field error shows next to the field', async () => {
    vi.spyOn(patientsApi, 'create')
      .mockRejectedValueOnce(new ApiError({ statusCode: 409, error: 'Conflict', message: 'exists', patient }))
      .mockRejectedValueOnce(
        new ApiError({
          statusCode: 400,
          error: 'Bad Request',
          message: 'personalIdentityNumber has a wrong check digit',
          field: 'personalIdentityNumber',
        }),
      );
    const w = mountForm();
    await w.get('#add-pnr').setValue('19121212-1212');
    await w.get('[data-testid="add-patient-first"]').setValue('A');
    await w.get('[data-testid="add-patient-last"]').setValue('B');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.text()).toContain('Det finns redan en patient');
    await w
      .findAll('button')
      .find((b) => b.text() === 'Använd den patienten')!
      .trigger('click');
    expect(w.emitted('added')?.[0]).toEqual([patient]);
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.text()).toContain('wrong check digit');
  });
});

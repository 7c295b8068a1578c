/** Common Swedish first and last names (after SCB's name statistics), for synthetic patients. */

// prettier-ignore
export const FEMALE_FIRST_NAMES: readonly string[] = [
  'Anna', 'Eva', 'Maria', 'Karin', 'Sara', 'Kristina', 'Lena', 'Emma', 'Kerstin', 'Ingrid',
  'Marie', 'Malin', 'Jenny', 'Birgitta', 'Sofia', 'Linnéa', 'Elsa', 'Ella', 'Maja', 'Astrid',
  'Alice', 'Ebba', 'Wilma', 'Julia', 'Agnes', 'Frida', 'Ida', 'Hanna', 'Ulla', 'Gunilla',
  'Margareta', 'Elisabeth', 'Annika', 'Helena', 'Camilla', 'Susanne', 'Monica', 'Inger', 'Britt', 'Elin',
  'Johanna', 'Linda', 'Cecilia', 'Louise', 'Moa', 'Saga', 'Vera', 'Signe', 'Greta', 'Matilda',
];

// prettier-ignore
export const MALE_FIRST_NAMES: readonly string[] = [
  'Lars', 'Mikael', 'Anders', 'Johan', 'Erik', 'Per', 'Karl', 'Peter', 'Thomas', 'Jan',
  'Daniel', 'Fredrik', 'Hans', 'Bengt', 'Magnus', 'Nils', 'Oskar', 'William', 'Liam', 'Hugo',
  'Lucas', 'Elias', 'Adam', 'Axel', 'Alexander', 'Gustav', 'Olof', 'Sven', 'Gunnar', 'Stefan',
  'Mats', 'Björn', 'Leif', 'Kent', 'Åke', 'Göran', 'Ove', 'Rolf', 'Viktor', 'Filip',
  'Emil', 'Noah', 'Isak', 'Albin', 'Jonas', 'Henrik', 'Martin', 'Tobias', 'Arvid', 'Ludvig',
];

// prettier-ignore
export const LAST_NAMES: readonly string[] = [
  'Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson',
  'Pettersson', 'Jonsson', 'Jansson', 'Hansson', 'Bengtsson', 'Jönsson', 'Lindberg', 'Jakobsson', 'Magnusson', 'Olofsson',
  'Lindström', 'Lindqvist', 'Lindgren', 'Berg', 'Axelsson', 'Bergström', 'Lundberg', 'Lind', 'Lundgren', 'Lundqvist',
  'Mattsson', 'Berglund', 'Fredriksson', 'Sandberg', 'Henriksson', 'Forsberg', 'Sjöberg', 'Wallin', 'Ali', 'Engström',
  'Mohammed', 'Eklund', 'Danielsson', 'Lundin', 'Håkansson', 'Björk', 'Bergman', 'Gunnarsson', 'Holm', 'Wikström',
  'Samuelsson', 'Isaksson', 'Fransson', 'Bergqvist', 'Nyström', 'Holmberg', 'Arvidsson', 'Löfgren', 'Söderberg', 'Nyberg',
  'Blomqvist', 'Claesson', 'Nordström', 'Mårtensson', 'Lundström', 'Ahmed', 'Viklund', 'Björklund', 'Eliasson', 'Pålsson',
  'Berggren', 'Sandström', 'Lund', 'Nordin', 'Ström', 'Åberg', 'Hermansson', 'Ekström', 'Holmgren', 'Sundberg',
  'Hedlund', 'Dahlberg', 'Hellström', 'Sjögren', 'Abrahamsson', 'Falk', 'Martinsson', 'Öberg', 'Andreasson', 'Strömberg',
];

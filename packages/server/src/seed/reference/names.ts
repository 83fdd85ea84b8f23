/**
 * Name pools for generated patients. US given names follow birth cohorts (a Barbara is rarely
 * under 50); other pools go with the languages our patients speak.
 */

/** Splits a comma-separated list (names may contain spaces and apostrophes). */
const list = (names: string): readonly string[] =>
  names
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);

export interface NamePool {
  female: readonly string[];
  male: readonly string[];
  family: readonly string[];
  /** Family names take a feminine form for women (Ivanov → Ivanova). */
  feminineFamily?: boolean;
}

const US_FAMILY = list(`
    Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, Thomas,
    Moore, Martin, Jackson, Thompson, White, Harris, Clark, Lewis, Robinson, Walker, Young,
    Allen, King, Wright, Scott, Hill, Green, Adams, Baker, Nelson, Carter, Mitchell, Roberts,
    Turner, Phillips, Campbell, Parker, Evans, Edwards, Collins, Stewart, Morris, Murphy,
    Cook, Rogers, Morgan, Cooper, Peterson, Bailey, Reed, Kelly, Howard, Cox, Ward,
    Richardson, Watson, Brooks, Wood, James, Bennett, Gray, Hughes, Price, Sanders, Myers,
    Long, Ross, Foster, Sullivan, O'Brien, O'Connor, McCarthy, Murray, Fitzgerald, Russo,
    Romano, Marino, Kowalski, Nowak, Schmidt, Schneider, Fischer, Weber, Becker, Hoffman,
    Olson, Larson, Hansen, Coleman, Jenkins, Perry, Powell, Washington, Butler, Simmons,
    Patterson, Hayes, Bryant, Smith-Jones, Goldberg, Cohen, Shapiro, Greene, Dubois
  `);

/** Given names by birth cohort; `before1960`, `before1990`, then the rest. */
export const US_GIVEN = {
  before1960: {
    female: list(`
    Mary, Patricia, Linda, Barbara, Elizabeth, Susan, Margaret, Dorothy, Carol, Nancy,
    Sandra, Judith, Betty, Joan, Shirley, Helen, Donna, Janet, Sharon, Carolyn, Joyce,
    Marilyn, Kathleen, Ruth, Frances, Diane, Virginia, Gloria, Martha, Evelyn, Deborah,
    Cheryl
  `),
    male: list(`
    James, Robert, John, William, Richard, Charles, Donald, George, Thomas, Joseph, Ronald,
    Kenneth, Paul, Larry, Gary, Edward, Frank, Raymond, Dennis, Jerry, Walter, Harold, Roger,
    Gerald, Carl, Arthur, Lawrence, Eugene, Ralph, Wayne, Douglas, Bruce
  `),
  },
  before1990: {
    female: list(`
    Jennifer, Lisa, Michelle, Kimberly, Amy, Angela, Melissa, Stephanie, Heather, Nicole,
    Jessica, Elizabeth, Rebecca, Laura, Karen, Christine, Tracy, Dawn, Julie, Amanda, Sarah,
    Kelly, Tina, Wendy, Andrea, Denise, Stacy, Erin, Rachel, Megan, Katherine, Samantha
  `),
    male: list(`
    Michael, David, John, James, Robert, Christopher, Mark, Jason, Brian, Kevin, Steven,
    Timothy, Jeffrey, Scott, Eric, Matthew, Daniel, Anthony, Joseph, Richard, Thomas, Todd,
    Gregory, Sean, Patrick, Shawn, Aaron, Jeremy, Ryan, Keith, William, Nicholas
  `),
  },
  recent: {
    female: list(`
    Emily, Ashley, Hannah, Madison, Sarah, Jessica, Samantha, Olivia, Emma, Abigail, Alyssa,
    Lauren, Taylor, Brianna, Ava, Sophia, Isabella, Mia, Chloe, Grace, Natalie, Kayla, Ella,
    Avery, Harper, Zoë, Lily, Addison, Allison, Amelia, Rebecca, Alexandra
  `),
    male: list(`
    Jacob, Michael, Joshua, Matthew, Christopher, Andrew, Ethan, Tyler, Daniel, Nicholas,
    Ryan, Brandon, Austin, Noah, Liam, Mason, Logan, Jackson, Lucas, Aiden, Elijah, Benjamin,
    Alexander, Dylan, Caleb, Nathan, Owen, Connor, Evan, Wyatt, William, James
  `),
  },
} as const;

export const NAME_POOLS = {
  // `general` draws its given names from US_GIVEN by birth year; these are a fallback.
  general: {
    female: US_GIVEN.before1990.female,
    male: US_GIVEN.before1990.male,
    family: US_FAMILY,
  },
  hispanic: {
    female: list(`
    María, Guadalupe, Rosa, Ana, Carmen, Sofía, Valentina, Camila, Lucía, Isabel, Gabriela,
    Daniela, Mariana, Alejandra, Verónica, Adriana, Patricia, Elena, Yesenia, Marisol, Luz,
    Leticia, Teresa, Ximena
  `),
    male: list(`
    José, Juan, Luis, Carlos, Jorge, Miguel, Jesús, Antonio, Francisco, Alejandro, Manuel,
    Ricardo, Roberto, Fernando, Eduardo, Javier, Diego, Mateo, Santiago, Sebastián, Héctor,
    Raúl, Ángel, Óscar
  `),
    family: list(`
    García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, Ramírez, Torres,
    Flores, Rivera, Gómez, Díaz, Cruz, Morales, Reyes, Gutiérrez, Ortiz, Chávez, Ramos, Ruiz,
    Jiménez, Mendoza, Álvarez, Castillo, Vásquez, Romero, Herrera, Medina, Aguilar, Vargas,
    Castro, Soto, Delgado, Peña, De la Cruz
  `),
  },
  chinese: {
    female: list(`
    Mei, Lina, Xiuying, Jing, Yan, Hui, Ling, Fang, Min, Ying, Xin, Yue, Qian, Lan, Hong,
    Jia
  `),
    male: list(`
    Wei, Jun, Hao, Lei, Jian, Ming, Tao, Qiang, Yong, Jie, Bo, Gang, Chao, Peng, Zhen, Kai
  `),
    family: list(`
    Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Xu, Sun, Ma, Zhu, Hu, Guo, Lin,
    He, Gao, Luo, Wong, Chan, Leung, Lee
  `),
  },
  vietnamese: {
    female: list(`
    Linh, Lan, Huong, Mai, Thao, Trang, Ngoc, Hanh, Thu, Phuong, Hoa, Anh, Nhung, Tuyet, Vy,
    Thuy
  `),
    male: list(`
    Minh, Tuan, Hung, Duc, Quang, Thanh, Long, Nam, Huy, Khanh, Dung, Phong, Son, Vinh, Bao,
    Hieu
  `),
    family: list(`
    Nguyen, Tran, Le, Pham, Hoang, Huynh, Phan, Vu, Vo, Dang, Bui, Do, Ho, Ngo, Duong, Ly
  `),
  },
  korean: {
    female: list(`
    Ji-yeon, Min-ji, Seo-yeon, Soo-jin, Eun-ji, Hye-jin, Yuna, Ji-hye, Mi-kyung, Young-hee
  `),
    male: list(`
    Min-jun, Ji-hoon, Sung-min, Hyun-woo, Dong-hyun, Jae-won, Sang-woo, Young-ho, Seung-hyun,
    Jin-woo
  `),
    family: list(`
    Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Lim, Han, Shin
  `),
  },
  russian: {
    female: list(`
    Olga, Tatiana, Natalia, Elena, Irina, Svetlana, Anna, Maria, Ekaterina, Yulia, Anastasia,
    Galina
  `),
    male: list(`
    Alexander, Sergei, Dmitri, Andrei, Alexei, Vladimir, Mikhail, Ivan, Nikolai, Yuri, Igor,
    Pavel
  `),
    family: list(`
    Ivanov, Smirnov, Popov, Kuznetsov, Sokolov, Lebedev, Kozlov, Novikov, Morozov, Petrov,
    Volkov, Pavlov, Fedorov, Orlov
  `),
    feminineFamily: true,
  },
  arabic: {
    female: list(`
    Fatima, Aisha, Mariam, Noor, Layla, Huda, Amira, Yasmin, Sara, Rania, Salma, Hana
  `),
    male: list(`
    Mohammed, Ahmed, Ali, Omar, Hassan, Youssef, Khaled, Ibrahim, Mahmoud, Samir, Tariq,
    Karim
  `),
    family: list(`
    Haddad, Khoury, Saleh, Hassan, Ibrahim, Mansour, Nasser, Abdullah, Farah, Aziz, Hamdan,
    Rahman, Al-Sayed
  `),
  },
  haitian: {
    female: list(`
    Marie, Rose, Nadège, Guerline, Fabiola, Wideline, Stéphanie, Mirlande, Roseline,
    Jocelyne, Natacha, Sherline
  `),
    male: list(`
    Jean, Pierre, Jean-Baptiste, Wilner, Frantz, Reginald, Jacques, Emmanuel, Fritz, Ricardo,
    Wesley, Jean-Claude
  `),
    family: list(`
    Pierre, Jean-Louis, Joseph, Charles, Louis, Baptiste, Désir, Étienne, Auguste, Toussaint,
    Célestin, Dorvil, François, Michel, Noël
  `),
  },
  portuguese: {
    female: list(`
    Ana, Maria, Juliana, Fernanda, Beatriz, Larissa, Camila, Patrícia, Luana, Gabriela,
    Mariana, Aline
  `),
    male: list(`
    João, Pedro, Lucas, Gabriel, Rafael, Thiago, Bruno, Felipe, Rodrigo, Marcos, Paulo,
    Tiago
  `),
    family: list(`
    Silva, Santos, Oliveira, Souza, Pereira, Costa, Ferreira, Rodrigues, Almeida, Carvalho,
    Gomes, Martins, Araújo, Ribeiro, Barbosa, Medeiros
  `),
  },
} as const satisfies Record<string, NamePool>;

export type NamePoolKey = keyof typeof NAME_POOLS;

/** The name pool of a patient who speaks a language other than English. */
export const POOL_OF_LANGUAGE: Record<string, NamePoolKey> = {
  es: 'hispanic',
  zh: 'chinese',
  vi: 'vietnamese',
  ko: 'korean',
  ru: 'russian',
  ar: 'arabic',
  ht: 'haitian',
  pt: 'portuguese',
};

/** Heritage of English-speaking patients: mostly `general`, with the communities we serve. */
export const ENGLISH_SPEAKER_POOLS: readonly (readonly [NamePoolKey, number])[] = [
  ['general', 78],
  ['hispanic', 10],
  ['chinese', 2.5],
  ['vietnamese', 1.5],
  ['korean', 1.5],
  ['arabic', 1.5],
  ['russian', 1.5],
  ['haitian', 2],
  ['portuguese', 1.5],
];

/** What people called by these names often go by. */
export const NICKNAMES: Record<string, string> = {
  Robert: 'Bob',
  William: 'Bill',
  Elizabeth: 'Liz',
  Katherine: 'Kate',
  Michael: 'Mike',
  James: 'Jim',
  Jennifer: 'Jen',
  Richard: 'Rick',
  Margaret: 'Peggy',
  Thomas: 'Tom',
  Christopher: 'Chris',
  Patricia: 'Pat',
  Daniel: 'Dan',
  Joseph: 'Joe',
  Anthony: 'Tony',
  Nicholas: 'Nick',
  Alexander: 'Alex',
  Samantha: 'Sam',
  Rebecca: 'Becky',
  Deborah: 'Debbie',
  Susan: 'Sue',
  Alejandro: 'Alex',
  Francisco: 'Paco',
  Guadalupe: 'Lupe',
  Dmitri: 'Dima',
  Ekaterina: 'Katya',
};
